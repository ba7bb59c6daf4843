package im.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A run over time: every {@code periodMs} the acks, deliveries and errors of the last interval with their latency
 * percentiles and the generator's own CPU use, printed as a progress line and kept for the report's chart. The
 * generator's CPU tells whether it, rather than the node, was the bottleneck.
 *
 * <p>Thread-safe: recording happens on every event loop, the periodic sample on one.
 */
final class Timeline {

  /** One interval. Latencies in milliseconds; {@code generatorCpu} in cores (1.0 = one core busy). */
  record Point(double atSeconds, double ackedPerSecond, double deliveredPerSecond, double ackP50, double ackP99,
               double deliveryP50, double deliveryP99, long errors, double generatorCpu) {

    JsonObject toJson() {
      return new JsonObject().put("t", atSeconds).put("ackedPerSecond", ackedPerSecond)
          .put("deliveredPerSecond", deliveredPerSecond).put("ackP50Ms", ackP50).put("ackP99Ms", ackP99)
          .put("deliveryP50Ms", deliveryP50).put("deliveryP99Ms", deliveryP99).put("errors", errors)
          .put("generatorCpu", generatorCpu);
    }
  }

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Recorder ackMicros = new Recorder(3);
  private final Recorder deliveryMillis = new Recorder(3);
  private final LongAdder errors = new LongAdder();
  private final List<Point> points = new ArrayList<>();
  private Histogram ackInterval;
  private Histogram deliveryInterval;
  private long startNanos;
  private long lastNanos;
  private long lastCpuNanos;
  private long startCpuNanos;
  private long timer = -1;

  void acked(long micros) {
    ackMicros.recordValue(micros);
  }

  void delivered(long millis) {
    deliveryMillis.recordValue(millis);
  }

  void error() {
    errors.increment();
  }

  /** Starts sampling; the first interval starts now. */
  synchronized void start(Vertx vertx, long periodMs) {
    startNanos = lastNanos = System.nanoTime();
    startCpuNanos = lastCpuNanos = OS.getProcessCpuTime();
    ackMicros.reset();
    deliveryMillis.reset();
    timer = vertx.setPeriodic(periodMs, id -> sample());
  }

  /** Takes the last, partial interval and stops sampling. */
  synchronized void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
      sample();
    }
  }

  synchronized List<Point> points() {
    return List.copyOf(points);
  }

  /** The generator's average CPU use over the sampled time, in cores. */
  synchronized double averageCpu() {
    double wall = lastNanos - startNanos;
    return wall <= 0 ? 0 : (lastCpuNanos - startCpuNanos) / wall;
  }

  JsonArray toJson() {
    JsonArray array = new JsonArray();
    points().forEach(point -> array.add(point.toJson()));
    return array;
  }

  private synchronized void sample() {
    long now = System.nanoTime();
    long cpu = OS.getProcessCpuTime();
    double seconds = (now - lastNanos) / 1e9;
    ackInterval = ackMicros.getIntervalHistogram(ackInterval);
    deliveryInterval = deliveryMillis.getIntervalHistogram(deliveryInterval);
    Point point = new Point((now - startNanos) / 1e9,
        seconds > 0 ? ackInterval.getTotalCount() / seconds : 0,
        seconds > 0 ? deliveryInterval.getTotalCount() / seconds : 0,
        ackInterval.getValueAtPercentile(50) / 1000.0, ackInterval.getValueAtPercentile(99) / 1000.0,
        deliveryInterval.getValueAtPercentile(50), deliveryInterval.getValueAtPercentile(99),
        errors.sumThenReset(), seconds > 0 ? (cpu - lastCpuNanos) / 1e9 / seconds : 0);
    points.add(point);
    lastNanos = now;
    lastCpuNanos = cpu;
    System.err.printf("[progress] t=%5.1fs acked %7.0f/s delivered %7.0f/s ack p50/p99 %7.2f/%8.2f ms "
            + "delivery p50/p99 %5.0f/%6.0f ms errors %d generator cpu %.2f cores%n",
        point.atSeconds(), point.ackedPerSecond(), point.deliveredPerSecond(), point.ackP50(), point.ackP99(),
        point.deliveryP50(), point.deliveryP99(), point.errors(), point.generatorCpu());
  }
}
