package im.server.push;

/**
 * Delays between webhook attempts (docs/protocol.md §4, Offline push): the first retry after {@code firstMs} (the
 * contract wants it within 2 s), each further one twice the previous, never more than {@code maxMs} (30 s by
 * contract). Pure.
 */
record Backoff(long firstMs, long maxMs) {

  /** The delay before retry number {@code retry} (1 for the first). */
  long delayMs(int retry) {
    long delay = firstMs;
    for (int i = 1; i < retry && delay < maxMs; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxMs);
  }
}
