package im.shared.bus.message;

import im.protocol.MessageRefs;
import io.vertx.core.json.JsonObject;

/**
 * {@code send}: store a message from {@code from}'s {@code device} and answer with its {@link Ack}. {@code conn}
 * is the sending connection, which gets the ack instead of a {@code msg}; null for server-written messages.
 * {@code kind} and {@code body} are validated before the command is sent, and so is the form of {@code replyTo} and
 * {@code thread} ({@link MessageRefs}; at most one, each null when absent); the owner checks what they name.
 */
public record SendCommand(String conv, String from, String device, String conn, String cmid, String kind,
                          JsonObject body, Long replyTo, Long thread) implements OwnerCommand {

  static final String TYPE_NAME = "send";

  /** A send that names no other message. */
  public SendCommand(String conv, String from, String device, String conn, String cmid, String kind, JsonObject body) {
    this(conv, from, device, conn, cmid, kind, body, null, null);
  }

  public SendCommand(String conv, String from, String device, String conn, String cmid, String kind, JsonObject body,
                     MessageRefs refs) {
    this(conv, from, device, conn, cmid, kind, body, refs.replyTo(), refs.thread());
  }

  public MessageRefs refs() {
    return replyTo == null && thread == null ? MessageRefs.NONE : new MessageRefs(replyTo, thread);
  }

  @Override
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put(TYPE, TYPE_NAME)
        .put("conv", conv)
        .put("from", from)
        .put("device", device)
        .put("conn", conn)
        .put("cmid", cmid)
        .put("kind", kind)
        .put("body", body);
    return refs().putInto(json);
  }

  public static SendCommand fromJson(JsonObject json) {
    return new SendCommand(json.getString("conv"), json.getString("from"), json.getString("device"),
        json.getString("conn"), json.getString("cmid"), json.getString("kind"), json.getJsonObject("body"),
        json.getLong("replyTo"), json.getLong("thread"));
  }

  /** The idempotency key of this send: one sender's cmid names one message. */
  public String dedupKey() {
    return from + "\n" + cmid;
  }
}
