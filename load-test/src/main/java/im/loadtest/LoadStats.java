package im.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What one load run measured: ack latency (send to ack, microseconds), deliveries with their latency
 * (from the time the message was due to be sent, which its text carries, to its arrival at the peer, milliseconds)
 * and errors by code.
 *
 * <p>Thread-safe: every connection's event loop records into the same instance.
 */
final class LoadStats {

  private static final long DELIVERY_POLL_MS = 20;
  private static final long MAX_TRACKED_MICROS = TimeUnit.MINUTES.toMicros(5);
  private static final long MAX_TRACKED_MILLIS = TimeUnit.MINUTES.toMillis(5);

  private final Histogram ackMicros = new ConcurrentHistogram(MAX_TRACKED_MICROS, 3);
  private final Histogram deliveryMillis = new ConcurrentHistogram(MAX_TRACKED_MILLIS, 3);
  private final LongAdder delivered = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder outOfOrder = new LongAdder();
  private final Map<String, LongAdder> retried = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final Timeline timeline = new Timeline();
  /** How many peers get each acked message: 1 for a pair, the other members for a group. */
  private final int recipientsPerMessage;

  LoadStats() {
    this(1);
  }

  LoadStats(int recipientsPerMessage) {
    this.recipientsPerMessage = recipientsPerMessage;
  }

  void acked(long latencyNanos) {
    long micros = clamp(TimeUnit.NANOSECONDS.toMicros(latencyNanos), MAX_TRACKED_MICROS);
    ackMicros.recordValue(micros);
    timeline.acked(micros);
  }

  /** The run over time: start it when sending starts, stop it once deliveries have settled. */
  Timeline timeline() {
    return timeline;
  }

  /** The first arrival of a message at its peer. */
  void delivered(long latencyMillis) {
    delivered.increment();
    long millis = clamp(latencyMillis, MAX_TRACKED_MILLIS);
    deliveryMillis.recordValue(millis);
    timeline.delivered(millis);
  }

  /** A message that arrived again: a re-send the peer did not need. */
  void duplicate() {
    duplicates.increment();
  }

  /** A first arrival whose {@code seq} is below one the connection already had: docs/protocol.md §3 order broken. */
  void outOfOrder() {
    outOfOrder.increment();
  }

  /** A send refused with {@code code} ({@code rate_limited}, {@code unavailable}) and retried with the same cmid. */
  void retried(String code) {
    retried.computeIfAbsent(code, c -> new LongAdder()).increment();
  }

  void error(String code) {
    errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    timeline.error();
  }

  long ackedCount() {
    return ackMicros.getTotalCount();
  }

  /** Completes once every expected delivery has arrived, or {@code drainMs} after the call. */
  Future<Void> settled(Vertx vertx, long drainMs) {
    Promise<Void> settled = Promise.promise();
    long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMs);
    vertx.setPeriodic(DELIVERY_POLL_MS, timer -> {
      if (deliveredCount() >= expectedDeliveries() || System.nanoTime() > giveUp) {
        vertx.cancelTimer(timer);
        settled.tryComplete();
      }
    });
    return settled.future();
  }

  long expectedDeliveries() {
    return ackedCount() * recipientsPerMessage;
  }

  /** Delivery latency at {@code percentile}, in ms. */
  long deliveryMs(double percentile) {
    return deliveryMillis.getValueAtPercentile(percentile);
  }

  long deliveredCount() {
    return delivered.sum();
  }

  long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** {@code code=count ...} of the errors, or {@code none}. */
  String errorsByCode() {
    return counts(errors, "none");
  }

  /**
   * Nothing went wrong: no errors, and every acked message reached its peer, in order. Duplicates do not
   * count against a run: docs/protocol.md §3 re-sends unconfirmed messages, so one may cross the peer's {@code recv}.
   */
  boolean clean() {
    return errorCount() == 0 && outOfOrder.sum() == 0 && deliveredCount() == expectedDeliveries();
  }

  /**
   * @param setup       one line saying what was run
   * @param elapsedNanos from the first send to the last ack
   */
  String report(String setup, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    long acked = ackedCount();
    StringBuilder out = new StringBuilder();
    out.append(setup).append('\n');
    out.append(String.format("acked      %d in %.3f s = %.0f msg/s%n", acked, seconds,
        seconds > 0 ? acked / seconds : 0.0));
    out.append(String.format("ack ms     p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
        ackMs(50), ackMs(90), ackMs(99), ackMs(99.9), ackMicros.getMaxValue() / 1000.0));
    String of = recipientsPerMessage == 1 ? acked + " acked" : expectedDeliveries() + " expected";
    out.append(String.format("delivered  %d of %s, %d out of order, %d duplicates; delivery ms p50=%d p99=%d max=%d%n",
        deliveredCount(), of, outOfOrder.sum(), duplicates.sum(), deliveryMillis.getValueAtPercentile(50),
        deliveryMillis.getValueAtPercentile(99), deliveryMillis.getMaxValue()));
    if (recipientsPerMessage > 1) {
      out.append(String.format("fan-out    %.0f deliveries/s to %d recipients per message%n",
          seconds > 0 ? deliveredCount() / seconds : 0.0, recipientsPerMessage));
    }
    out.append("retried    ").append(counts(retried, "none")).append(" (refused, then retried with the same cmid)\n");
    out.append("errors     ").append(errorsByCode()).append('\n');
    out.append(String.format("generator  %.2f cores on average while sending (a generator near its cores is the bottleneck)",
        timeline.averageCpu()));
    return out.toString();
  }

  /** The figures of {@link #report}, for the JSON report. */
  JsonObject summary(String setup, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    JsonObject retriedJson = new JsonObject();
    retried.forEach((code, count) -> retriedJson.put(code, count.sum()));
    JsonObject errorsJson = new JsonObject();
    errors.forEach((code, count) -> errorsJson.put(code, count.sum()));
    return new JsonObject().put("setup", setup).put("seconds", seconds).put("acked", ackedCount())
        .put("ackedPerSecond", seconds > 0 ? ackedCount() / seconds : 0)
        .put("ackMs", percentiles(ackMicros, 1000.0)).put("delivered", deliveredCount())
        .put("expectedDeliveries", expectedDeliveries()).put("deliveryMs", percentiles(deliveryMillis, 1.0))
        .put("outOfOrder", outOfOrder.sum()).put("duplicates", duplicates.sum()).put("retried", retriedJson)
        .put("errors", errorsJson).put("generatorCpuCores", timeline.averageCpu()).put("clean", clean());
  }

  private static JsonObject percentiles(Histogram histogram, double divisor) {
    JsonObject json = new JsonObject();
    for (double p : new double[] {50, 90, 99, 99.9}) {
      json.put("p" + (p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p)),
          histogram.getValueAtPercentile(p) / divisor);
    }
    return json.put("max", histogram.getMaxValue() / divisor);
  }

  private static String counts(Map<String, LongAdder> byCode, String none) {
    if (byCode.isEmpty()) {
      return none;
    }
    StringBuilder line = new StringBuilder();
    new TreeMap<>(byCode).forEach((code, count) -> line.append(code).append('=').append(count.sum()).append(' '));
    return line.toString().trim();
  }

  private double ackMs(double percentile) {
    return ackMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  /** Clock steps between machines can give a negative latency; the histogram takes none. */
  private static long clamp(long value, long max) {
    return Math.max(0, Math.min(value, max));
  }
}
