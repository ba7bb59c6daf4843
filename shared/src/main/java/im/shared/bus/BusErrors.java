package im.shared.bus;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Carries {@link ImException} across the event bus. The failure message is the error's wire name, a space and its
 * text ({@code "not_member not a member of g:x"}); the failure code is the HTTP status, for readers of logs only.
 * Names, not enum ordinals, cross the bus: a node that knows more codes than another never shifts their meaning
 * during a rolling upgrade, and a name this node does not know reads as {@code internal}.
 */
public final class BusErrors {

  private BusErrors() {}

  public static void fail(Message<?> message, Throwable failure) {
    ImException error = ImException.of(failure);
    message.fail(error.code().httpStatus(), encode(error));
  }

  /** The ImException behind a failed request: the recipient's own, or {@code unavailable} when nobody answered. */
  public static ImException toImException(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return decode(reply.getMessage());
      }
      return ImException.unavailable("the conversation's owner did not answer; retry with the same cmid");
    }
    return ImException.of(failure);
  }

  static String encode(ImException error) {
    String text = error.getMessage();
    return text == null || text.isEmpty() ? error.code().wireName() : error.code().wireName() + " " + text;
  }

  static ImException decode(String failure) {
    if (failure == null || failure.isEmpty()) {
      return new ImException(ErrorCode.INTERNAL, "internal error");
    }
    int space = failure.indexOf(' ');
    String name = space < 0 ? failure : failure.substring(0, space);
    String text = space < 0 ? name : failure.substring(space + 1);
    return new ImException(ErrorCode.fromWireName(name), text);
  }
}
