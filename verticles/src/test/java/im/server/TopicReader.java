package im.server;

import im.shared.Ids;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads Kafka topics from their beginning with a plain Kafka consumer (a fresh consumer group), as an analytics
 * service or a push gateway would. Used from the test thread only: {@link #next} polls the broker until a matching
 * record arrives, keeping everything read so far.
 */
public final class TopicReader implements AutoCloseable {

  private static final Duration LIMIT = Duration.ofSeconds(20);

  /** One record as consumed: key, value as JSON, partition and offset. */
  public record Read(String topic, String key, JsonObject value, int partition, long offset) {}

  private final KafkaConsumer<String, String> consumer;
  private final List<Read> read = new ArrayList<>();

  public TopicReader(String bootstrap, String... topics) {
    consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", bootstrap,
        "group.id", "test-reader-" + Ids.newId(),
        "auto.offset.reset", "earliest",
        "enable.auto.commit", "false"), new StringDeserializer(), new StringDeserializer());
    consumer.subscribe(List.of(topics));
  }

  /** The first record read so far or arriving within 20 s that matches; fails the test otherwise. */
  public Read next(Predicate<Read> matches) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (true) {
      for (Read record : read) {
        if (matches.test(record)) {
          return record;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no matching record within " + LIMIT + "; read: " + read);
      }
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        read.add(new Read(record.topic(), record.key(), new JsonObject(record.value()), record.partition(),
            record.offset()));
      }
    }
  }

  /** Every record read so far that matches, in the order read. */
  public List<Read> all(Predicate<Read> matches) {
    return read.stream().filter(matches).toList();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
