package im.server.presence;

import im.shared.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * Settings of {@code presence} in the node config.
 *
 * @param graceMs       how long a user must stay without any connection before going offline is announced
 * @param minIntervalMs at most one announcement per user per this many ms; changes in between are coalesced
 * @param statusTtlMs   how long a chosen status (away, busy, invisible) is kept without being set again
 */
public record PresenceConfig(long graceMs, long minIntervalMs, long statusTtlMs) {

  public static final PresenceConfig DEFAULTS = new PresenceConfig(5000, 1000, 7L * 24 * 3600 * 1000);

  /** From {@code config.json().presence}; absent keys take the defaults, wrong ones stop the node. */
  public static PresenceConfig from(JsonObject nodeConfig) {
    JsonObject presence = nodeConfig == null ? null : nodeConfig.getJsonObject("presence");
    if (presence == null) {
      return DEFAULTS;
    }
    return new PresenceConfig(
        read(presence, "graceMs", DEFAULTS.graceMs, 0),
        read(presence, "minIntervalMs", DEFAULTS.minIntervalMs, 0),
        read(presence, "statusTtlMs", DEFAULTS.statusTtlMs, 1));
  }

  private static long read(JsonObject presence, String key, long fallback, long min) {
    Object value = presence.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < min) {
      throw new ConfigException("presence." + key + ": must be a whole number of at least " + min + ", got " + value);
    }
    return n.longValue();
  }
}
