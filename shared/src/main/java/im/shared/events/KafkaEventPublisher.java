package im.shared.events;

import im.shared.Ids;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.serialization.BufferSerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes events and pushes through one idempotent Kafka producer with {@code acks=all} (docs/events.md). The
 * Vert.x producer runs Kafka's {@code send} on a worker of its own, one record after another, so records leave in
 * the order they were published and no event loop waits for Kafka.
 *
 * <p>Never blocks, never fails the caller: at most {@value #MAX_PENDING} records wait for Kafka's answer, and past
 * that new ones are dropped; records Kafka does not take within its delivery timeout (the broker away) fail. Both
 * are counted in {@code /metrics} ({@code im_kafka_dropped_total}, {@code im_kafka_failed_total}, by topic) and
 * logged once per burst: the first failure, then one line when publishing works again. Thread-safe.
 */
public final class KafkaEventPublisher implements EventPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);
  /** Records sent and not yet answered; bounds the memory a broker outage can take (events are ~0.2-2 KB). */
  static final int MAX_PENDING = 20_000;
  /**
   * How long a send may wait for a topic's metadata: long enough for a broker that creates topics on first use
   * (about a second here), short because a waiting send holds back every record behind it. Once the metadata is
   * known, sends no longer wait, even while the broker is away.
   */
  static final String MAX_BLOCK_MS = "5000";
  /** A few ms of batching: records of one group commit leave in one request. */
  static final String LINGER_MS = "5";
  private static final long CLOSE_TIMEOUT_MS = 5000;

  private final KafkaProducer<String, Buffer> producer;
  private final ImMetrics metrics;
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong failuresInBurst = new AtomicLong();

  private KafkaEventPublisher(KafkaProducer<String, Buffer> producer, ImMetrics metrics) {
    this.producer = producer;
    this.metrics = metrics;
  }

  /**
   * Builds the producer on a worker (a Kafka producer's construction loads and registers enough to stall an event
   * loop). It connects lazily: a broker that is not up yet only delays the first records.
   */
  public static Future<EventPublisher> create(Vertx vertx, String bootstrap, String clientId, ImMetrics metrics) {
    return vertx.executeBlocking(() -> new org.apache.kafka.clients.producer.KafkaProducer<>(
            producerConfig(bootstrap, clientId), new StringSerializer(), new BufferSerializer()))
        .map(producer -> new KafkaEventPublisher(KafkaProducer.create(vertx, producer), metrics));
  }

  static Map<String, Object> producerConfig(String bootstrap, String clientId) {
    return Map.of(
        "bootstrap.servers", bootstrap,
        "client.id", clientId,
        "acks", "all",
        "enable.idempotence", "true",
        "max.block.ms", MAX_BLOCK_MS,
        "linger.ms", LINGER_MS);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void publish(DomainEvent event) {
    send(EVENTS_TOPIC, event.key(), event.toJson(Ids.newId()).toBuffer());
  }

  @Override
  public void publishPush(String uid, Buffer payload) {
    send(PUSH_TOPIC, uid, payload);
  }

  private void send(String topic, String key, Buffer value) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      metrics.kafkaDropped(topic);
      failed(topic, "more than " + MAX_PENDING + " records wait for Kafka");
      return;
    }
    producer.send(KafkaProducerRecord.create(topic, key, value)).onComplete(sent -> {
      pending.decrementAndGet();
      if (sent.succeeded()) {
        metrics.kafkaPublished(topic);
        long failures = failuresInBurst.getAndSet(0);
        if (failures > 0) {
          LOG.info("publishing to Kafka works again, after {} records failed or were dropped", failures);
        }
      } else {
        metrics.kafkaFailed(topic);
        failed(topic, sent.cause().toString());
      }
    });
  }

  private void failed(String topic, String why) {
    if (failuresInBurst.getAndIncrement() == 0) {
      LOG.warn("a record for {} was not published ({}); until publishing works again further ones are only counted "
          + "(im_kafka_failed_total, im_kafka_dropped_total)", topic, why);
    }
  }

  @Override
  public Future<Void> close() {
    return producer.close(CLOSE_TIMEOUT_MS);
  }
}
