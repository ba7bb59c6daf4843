package im.shared.bus;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Carries {@link ImException} across the event bus: failure code = ordinal of the {@link ErrorCode}. */
public final class BusErrors {

  private BusErrors() {}

  public static void fail(Message<?> message, Throwable failure) {
    ImException error = ImException.of(failure);
    message.fail(error.code().ordinal(), error.getMessage());
  }

  /** The ImException behind a failed request: the recipient's own, or {@code unavailable} when nobody answered. */
  public static ImException toImException(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        int code = reply.failureCode();
        ErrorCode[] codes = ErrorCode.values();
        return code >= 0 && code < codes.length
            ? new ImException(codes[code], reply.getMessage())
            : new ImException(ErrorCode.INTERNAL, "internal error");
      }
      return ImException.unavailable("the conversation's owner did not answer; retry with the same cmid");
    }
    return ImException.of(failure);
  }
}
