package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.ImException;

/**
 * The per-connection send budget: {@code perSecond} tokens a second, at most {@code burst} saved up. Every request
 * that makes other services work for the connection ({@code send}, {@code presence}, {@code join}, {@code read})
 * takes from the same bucket. Not thread-safe: one per connection, used on its context.
 */
final class TokenBucket {

  private final double perNano;
  private final int burst;
  private double tokens;
  private long refilledAt;

  TokenBucket(int perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.refilledAt = nowNanos;
  }

  /** Takes one token, or fails with {@code rate_limited} saying what was refused. */
  void take(String what) {
    if (!tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many " + what + "; retry later");
    }
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - refilledAt) * perNano);
    refilledAt = nowNanos;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
