package im.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The optional references of a {@code send} (docs/protocol.md §3, Replies and threads): {@code replyTo} quotes a
 * message, {@code thread} posts a comment under one. Each is a seq (a whole number &gt;= 1) of the same conversation,
 * and a send carries at most one of them. Whether the message named exists, is not recalled and (for {@code thread})
 * is not itself a comment is for the conversation's owner to check. Immutable.
 */
public record MessageRefs(Long replyTo, Long thread) {

  public static final MessageRefs NONE = new MessageRefs(null, null);

  /** @throws ImException {@code bad_request} when a field is not a seq or both are given */
  public static MessageRefs of(JsonObject send) {
    Long replyTo = Validation.optionalLong(send, "replyTo", 1, Long.MAX_VALUE);
    Long thread = Validation.optionalLong(send, "thread", 1, Long.MAX_VALUE);
    if (replyTo != null && thread != null) {
      throw ImException.badRequest("give replyTo or thread, not both");
    }
    return replyTo == null && thread == null ? NONE : new MessageRefs(replyTo, thread);
  }

  /** Whether the message names another one, so that the owner has to look it up. */
  public boolean any() {
    return replyTo != null || thread != null;
  }

  /** The seq named, or null. */
  public Long target() {
    return replyTo != null ? replyTo : thread;
  }

  /** Adds the fields that are set to a {@code send} or {@code msg} body. */
  public JsonObject putInto(JsonObject json) {
    if (replyTo != null) {
      json.put("replyTo", replyTo);
    }
    if (thread != null) {
      json.put("thread", thread);
    }
    return json;
  }
}
