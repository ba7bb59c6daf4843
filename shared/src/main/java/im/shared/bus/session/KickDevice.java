package im.shared.bus.session;

import io.vertx.core.json.JsonObject;

/**
 * {@code {op:"kick", uid, device, since, reason}}: kick the node's session of {@code uid} on {@code device} if it
 * signed in no later than {@code since} (a newer one is a reconnect that must stay). No reply.
 */
public record KickDevice(String uid, String device, long since, String reason) implements SessionCommand {

  static final String OP_NAME = "kick";

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(OP, OP_NAME).put("uid", uid).put("device", device).put("since", since)
        .put("reason", reason);
  }

  public static KickDevice fromJson(JsonObject json) {
    return new KickDevice(json.getString("uid"), json.getString("device"), json.getLong("since"),
        json.getString("reason"));
  }
}
