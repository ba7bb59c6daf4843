package im.server.group;

import im.shared.config.ConfigException;
import im.shared.config.ImConfig;
import io.vertx.core.json.JsonObject;

/**
 * The settings of groups, rooms and typing, read from {@code groups}, {@code rooms} and {@code typing} of the
 * node config and validated once at start.
 *
 * @param maxMembers       most members a group may have ({@code groups.maxMembers})
 * @param roomHistoryLimit how many of a room's newest messages are kept ({@code rooms.historyLimit})
 * @param typingIntervalMs least time between two forwarded {@code typing} of one connection in one
 *                         conversation ({@code typing.minIntervalMs}); faster ones are dropped
 */
public record GroupSettings(int maxMembers, int roomHistoryLimit, long typingIntervalMs) {

  public static final int DEFAULT_MAX_MEMBERS = 2000;
  public static final int DEFAULT_ROOM_HISTORY = 100;
  public static final long DEFAULT_TYPING_INTERVAL_MS = 1000;

  public static GroupSettings of(ImConfig config) {
    JsonObject json = config.json();
    return new GroupSettings(
        (int) positive(json, "groups", "maxMembers", DEFAULT_MAX_MEMBERS),
        (int) positive(json, "rooms", "historyLimit", DEFAULT_ROOM_HISTORY),
        positive(json, "typing", "minIntervalMs", DEFAULT_TYPING_INTERVAL_MS));
  }

  private static long positive(JsonObject json, String section, String key, long defaultValue) {
    JsonObject sub = json == null ? null : json.getJsonObject(section);
    Object value = sub == null ? null : sub.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.longValue() < 1 || number.longValue() > Integer.MAX_VALUE
        || number.doubleValue() != number.longValue()) {
      throw new ConfigException("config " + section + "." + key + ": must be a whole number from 1");
    }
    return number.longValue();
  }
}
