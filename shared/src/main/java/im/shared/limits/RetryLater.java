package im.shared.limits;

import im.protocol.ErrorCode;
import im.protocol.ImException;

/** {@code rate_limited} with the seconds after which a retry may succeed: the HTTP API sends them as {@code Retry-After}. */
public final class RetryLater extends ImException {

  private final long retryAfterSeconds;

  public RetryLater(String message, long retryAfterSeconds) {
    super(ErrorCode.RATE_LIMITED, message);
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
