package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

/**
 * The answer to a {@code send} once the message is durable: the body of the {@code ack} frame (docs/protocol.md §3),
 * built here and nowhere else. A retried cmid gets the same ack.
 */
public record Ack(String cmid, String conv, long seq, String mid, long ts) {

  public JsonObject toJson() {
    return new JsonObject().put("cmid", cmid).put("conv", conv).put("seq", seq).put("mid", mid).put("ts", ts);
  }

  /** The {@code ack} frame's body for the request {@code id} (null when the send carried none). */
  public JsonObject toFrameBody(Object id) {
    JsonObject body = id == null ? new JsonObject() : new JsonObject().put("id", id);
    return body.put("cmid", cmid).put("conv", conv).put("seq", seq).put("mid", mid).put("ts", ts);
  }

  public static Ack fromJson(JsonObject json) {
    return new Ack(json.getString("cmid"), json.getString("conv"), json.getLong("seq"), json.getString("mid"),
        json.getLong("ts"));
  }
}
