package im.server.gateway;

/**
 * The per-connection send rate limit: {@code perSecond} tokens a second, at most {@code burst} saved up.
 * Not thread-safe: one per connection, used on its context.
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
