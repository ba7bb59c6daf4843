package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

/**
 * {@code send}: store a message from {@code from}'s {@code device} and answer with its {@link Ack}. {@code conn}
 * is the sending connection, which gets the ack instead of a {@code msg}; null for server-written messages.
 * {@code kind} and {@code body} are validated before the command is sent.
 */
public record SendCommand(String conv, String from, String device, String conn, String cmid, String kind,
                          JsonObject body) implements OwnerCommand {

  static final String TYPE_NAME = "send";

  @Override
  public JsonObject toJson() {
    return new JsonObject()
        .put(TYPE, TYPE_NAME)
        .put("conv", conv)
        .put("from", from)
        .put("device", device)
        .put("conn", conn)
        .put("cmid", cmid)
        .put("kind", kind)
        .put("body", body);
  }

  public static SendCommand fromJson(JsonObject json) {
    return new SendCommand(json.getString("conv"), json.getString("from"), json.getString("device"),
        json.getString("conn"), json.getString("cmid"), json.getString("kind"), json.getJsonObject("body"));
  }

  /** The idempotency key of this send: one sender's cmid names one message. */
  public String dedupKey() {
    return from + "\n" + cmid;
  }
}
