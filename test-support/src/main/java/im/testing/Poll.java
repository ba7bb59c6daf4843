package im.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Re-checks a condition until it holds, for states that have no event to wait on (cluster membership,
 * routes, a process's start-up). {@link #until(BooleanSupplier, Duration, String)} blocks the test thread;
 * {@link #until(Vertx, Supplier)} runs on Vert.x timers and is bounded by the caller's await.
 */
public final class Poll {

  private static final long BLOCKING_INTERVAL_MS = 100;
  private static final long TIMER_INTERVAL_MS = 20;

  private Poll() {}

  /** Checks every 100 ms; fails with {@code what} in the message when {@code limit} passes first. */
  public static void until(BooleanSupplier condition, Duration limit, String what) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + limit.toMillis() + " ms waiting for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(BLOCKING_INTERVAL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /**
   * Completes once {@code check} yields true, re-checking every 20 ms; a failed check counts as not yet (state
   * that settles after a reply may briefly answer an error). Never times out by itself.
   */
  public static Future<Void> until(Vertx vertx, Supplier<Future<Boolean>> check) {
    return check.get()
        .otherwise(false)
        .compose(done -> done
            ? Future.<Void>succeededFuture()
            : vertx.timer(TIMER_INTERVAL_MS).compose(t -> until(vertx, check)));
  }
}
