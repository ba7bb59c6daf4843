package im.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The one error type of the platform: a protocol {@link ErrorCode} and a message a client author can
 * read. The gateways turn it into an {@code error} frame, the HTTP API into the matching status.
 */
public class ImException extends RuntimeException {

  private final ErrorCode code;

  public ImException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ImException badRequest(String message) {
    return new ImException(ErrorCode.BAD_REQUEST, message);
  }

  public static ImException notFound(String message) {
    return new ImException(ErrorCode.NOT_FOUND, message);
  }

  public static ImException forbidden(String message) {
    return new ImException(ErrorCode.FORBIDDEN, message);
  }

  public static ImException unauthorized(String message) {
    return new ImException(ErrorCode.UNAUTHORIZED, message);
  }

  public static ImException notMember(String message) {
    return new ImException(ErrorCode.NOT_MEMBER, message);
  }

  public static ImException unavailable(String message) {
    return new ImException(ErrorCode.UNAVAILABLE, message);
  }

  /** Any failure as an ImException: our own pass through, anything else is {@code internal}. */
  public static ImException of(Throwable failure) {
    return failure instanceof ImException im ? im : new ImException(ErrorCode.INTERNAL, "internal error");
  }

  /** {@code {code, message}}: the body of a realtime {@code error} and of an HTTP error's {@code error}. */
  public JsonObject toJson() {
    return new JsonObject().put("code", code.wireName()).put("message", getMessage());
  }
}
