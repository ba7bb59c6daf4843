package im.shared.kafka;

import im.shared.config.ImConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The topics of Kafka mode (docs/architecture.md, Kafka mode) and the settings of the clients that use them. Every
 * node creates the topics at start; one that exists already is left as it is.
 */
public final class KafkaSetup {

  /** The message log: one record per stored message, keyed and partitioned by conversation. */
  public static final String MESSAGES = "im.messages";
  /** The domain event stream. */
  public static final String EVENTS = "im.events";
  /** Offline push events for a push gateway. */
  public static final String PUSH = "im.push";
  public static final List<String> TOPICS = List.of(MESSAGES, EVENTS, PUSH);
  /** The consumer group of the persisters: one member per node, each partition written by one of them. */
  public static final String PERSISTER_GROUP = "im.persister";

  /** The client id of a node's persister: the group's description then names the node that writes each partition. */
  public static String persisterClientId(String nodeId) {
    return PERSISTER_GROUP + "-" + nodeId;
  }

  /** A persister a killed node leaves behind is replaced after this (Kafka's default is 45 s). */
  private static final String SESSION_TIMEOUT_MS = "10000";
  private static final String RECONNECT_BACKOFF_MAX_MS = "1000";

  private KafkaSetup() {}

  /**
   * Idempotent, {@code acks=all}, and bounded: a record Kafka has not acknowledged within {@code sendTimeoutMs}
   * fails, and so does a send that cannot even learn where to go (broker down) within the same time.
   */
  public static Map<String, String> producer(ImConfig.Kafka kafka) {
    long timeout = kafka.sendTimeoutMs();
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.LINGER_MS_CONFIG, "0",
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout),
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout / 2),
        ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout),
        ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringSerializer",
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringSerializer");
  }

  /** Offsets committed by hand only, after what they cover is stored; a new group reads from the beginning. */
  public static Map<String, String> consumer(ImConfig.Kafka kafka, String group, String clientId) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.CLIENT_ID_CONFIG, clientId,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000",
        ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringDeserializer",
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.StringDeserializer");
  }

  /** Admin calls give up within {@code sendTimeoutMs}, so that neither health nor a waiting read hangs. */
  public static Map<String, String> admin(ImConfig.Kafka kafka) {
    long timeout = kafka.sendTimeoutMs();
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout / 2),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout),
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, RECONNECT_BACKOFF_MAX_MS);
  }

  /**
   * Creates the topics that do not exist yet with the configured partitions and replication factor.
   *
   * @return how many partitions {@link #MESSAGES} has (an existing topic keeps its own count)
   */
  public static Future<Integer> createTopics(KafkaAdminClient admin, ImConfig.Kafka kafka) {
    List<Future<Void>> created = new ArrayList<>();
    for (String topic : TOPICS) {
      created.add(admin.createTopics(List.of(new NewTopic(topic, kafka.partitions(), (short) kafka.replicationFactor())))
          .recover(failure -> failure instanceof TopicExistsException || failure.getCause() instanceof TopicExistsException
              ? Future.succeededFuture()
              : Future.failedFuture(failure)));
    }
    return Future.all(created)
        .compose(v -> admin.describeTopics(List.of(MESSAGES)))
        .map(topics -> topics.get(MESSAGES).getPartitions().size());
  }

  /** The partition of a conversation's records: Kafka's own choice for the key, fixed here so readers know it too. */
  public static int partitionOf(String conv, int partitions) {
    return Utils.toPositive(Utils.murmur2(conv.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** {@code future}'s outcome, delivered on {@code context}: Kafka's clients complete futures on their own threads. */
  public static <T> Future<T> on(Context context, Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> context.runOnContext(v -> promise.handle(result)));
    return promise.future();
  }
}
