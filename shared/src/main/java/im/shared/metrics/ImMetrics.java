package im.shared.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The platform's own meters, beside the Vert.x ones (event bus, pools, HTTP) that vertx-micrometer-metrics adds. */
public final class ImMetrics {

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final Counter sent;
  private final Counter delivered;
  private final Timer ackLatency;
  private final Counter pushDelivered;
  private final Counter pushRetried;
  private final Counter pushFailed;
  private final Counter pushDropped;
  /** Per meter name, per topic: topics are few and fixed, so the map stays tiny. */
  private final Map<String, Counter> kafkaCounters = new ConcurrentHashMap<>();

  public ImMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.sent = Counter.builder("im.messages.sent").description("messages acked (durable)").register(registry);
    this.delivered = Counter.builder("im.messages.delivered").description("msg frames written to connections").register(registry);
    this.ackLatency = Timer.builder("im.ack.latency")
        .description("from a send frame's arrival to its ack")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    this.pushDelivered = Counter.builder("im.push.delivered").description("offline pushes the webhook accepted (2xx)")
        .register(registry);
    this.pushRetried = Counter.builder("im.push.retried").description("webhook POSTs retried after a non-2xx answer or a timeout")
        .register(registry);
    this.pushFailed = Counter.builder("im.push.failed").description("offline pushes given up after retrying for push.retryForMs")
        .register(registry);
    this.pushDropped = Counter.builder("im.push.dropped").description("offline pushes dropped because the push queue was full")
        .register(registry);
    connectionGauge("ws");
    connectionGauge("tcp");
  }

  public MeterRegistry registry() {
    return registry;
  }

  private AtomicInteger connectionGauge(String transport) {
    return connections.computeIfAbsent(transport, t -> registry.gauge(
        "im.connections", io.micrometer.core.instrument.Tags.of("transport", t), new AtomicInteger()));
  }

  public void connectionOpened(String transport) {
    connectionGauge(transport).incrementAndGet();
  }

  public void connectionClosed(String transport) {
    connectionGauge(transport).decrementAndGet();
  }

  /** Open connections per transport on this node, for {@code /admin/nodes}. */
  public int connections(String transport) {
    AtomicInteger gauge = connections.get(transport);
    return gauge == null ? 0 : gauge.get();
  }

  public void messagesSent(int count) {
    sent.increment(count);
  }

  public void messagesDelivered(int count) {
    delivered.increment(count);
  }

  public void ackLatency(long nanos) {
    ackLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void pushDelivered() {
    pushDelivered.increment();
  }

  public void pushRetried() {
    pushRetried.increment();
  }

  public void pushFailed() {
    pushFailed.increment();
  }

  public void pushDropped() {
    pushDropped.increment();
  }

  /** A record Kafka acknowledged on {@code topic}. */
  public void kafkaPublished(String topic) {
    kafkaCounter("im.kafka.published", "records Kafka acknowledged", topic).increment();
  }

  /** A record Kafka did not take (broker away past the delivery timeout, or refused). */
  public void kafkaFailed(String topic) {
    kafkaCounter("im.kafka.failed", "records Kafka did not take", topic).increment();
  }

  /** A record dropped before sending because too many waited for Kafka. */
  public void kafkaDropped(String topic) {
    kafkaCounter("im.kafka.dropped", "records dropped because too many waited for Kafka", topic).increment();
  }

  private Counter kafkaCounter(String name, String description, String topic) {
    return kafkaCounters.computeIfAbsent(name + ' ' + topic,
        key -> Counter.builder(name).description(description).tag("topic", topic).register(registry));
  }
}
