package im.shared.bus.session;

import io.vertx.core.json.JsonObject;

/**
 * {@code {op:"kickUser", uid, reason}}: kick every session of {@code uid} on the node; answered with a
 * {@link Reply} saying how many there were.
 */
public record KickUser(String uid, String reason) implements SessionCommand {

  static final String OP_NAME = "kickUser";

  /** {@code {kicked}}. */
  public record Reply(int kicked) {

    public JsonObject toJson() {
      return new JsonObject().put("kicked", kicked);
    }

    public static Reply fromJson(JsonObject json) {
      return new Reply(json.getInteger("kicked", 0));
    }
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(OP, OP_NAME).put("uid", uid).put("reason", reason);
  }

  public static KickUser fromJson(JsonObject json) {
    return new KickUser(json.getString("uid"), json.getString("reason"));
  }
}
