package im.loadtest;

import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open model's clock: one Vert.x timer ticking every millisecond hands each sender the messages that have come
 * due since the last tick, each with the time it was due, whatever the replies to earlier ones. The senders' schedules
 * are staggered over one period so that they do not all fire in the same tick. One timer for the whole run costs far
 * less than a timer per sender, so the generator stays off the critical path at tens of thousands of messages a second.
 *
 * <p>Threading: the tick runs on one event loop; sends complete on the clients' own.
 */
final class Pacer {

  private static final long TICK_MS = 1;

  private Pacer() {}

  /** Completes once the deadline has passed and every send scheduled before it has settled. */
  static Completable run(Vertx vertx, List<Sender> senders, double perSecondEach, long startNanos, long deadlineNanos) {
    return Completable.create(emitter -> {
      long periodNanos = Math.max(1, Math.round(1e9 / perSecondEach));
      int count = senders.size();
      int[] next = new int[count];
      AtomicInteger inFlight = new AtomicInteger();
      AtomicBoolean scheduled = new AtomicBoolean();
      Runnable settledOne = () -> {
        if (inFlight.decrementAndGet() == 0 && scheduled.get()) {
          emitter.onComplete();
        }
      };
      vertx.setPeriodic(TICK_MS, timer -> {
        long now = System.nanoTime();
        long until = Math.min(now, deadlineNanos);
        for (int i = 0; i < count; i++) {
          long offset = periodNanos * i / count;
          while (startNanos + offset + next[i] * periodNanos <= until) {
            int n = next[i]++;
            inFlight.incrementAndGet();
            senders.get(i).send(n, startNanos + offset + n * periodNanos).subscribe(settledOne::run);
          }
        }
        if (now >= deadlineNanos) {
          vertx.cancelTimer(timer);
          scheduled.set(true);
          if (inFlight.get() == 0) {
            emitter.onComplete();
          }
        }
      });
    });
  }
}
