package im.server.message;

import im.shared.config.ImConfig;
import im.shared.kafka.KafkaMessageLog;
import im.shared.kafka.KafkaSetup;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka mode's persister (docs/architecture.md, Kafka mode): one member per node of the consumer group
 * {@link KafkaSetup#PERSISTER_GROUP}, so each partition of {@link KafkaSetup#MESSAGES} is written by one node, and a
 * node that dies hands its partitions to the others. Each poll is stored with the owner's own idempotent insert (one
 * statement; rows already stored are skipped, the conversations' seq floors rise in the same statement), and only
 * then are its offsets committed: a restart or a rebalance re-reads at most what was stored but not committed, and
 * the insert skips it. A batch PostgreSQL refuses is read again from its first offset after a pause, so nothing is
 * passed over while PostgreSQL is down.
 *
 * <p>Threading: its own context; one poll in flight at a time.
 */
public final class MessagePersisterVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MessagePersisterVerticle.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long RETRY_DELAY_MS = 500;

  private final ImConfig.Kafka kafka;
  private final String group;
  private final String clientId;
  private final MessageWriter writer;
  private KafkaConsumer<String, String> consumer;
  private boolean stopping;
  private final Promise<Void> stopped = Promise.promise();

  /**
   * @param group    {@link KafkaSetup#PERSISTER_GROUP}; another group reads the whole log again (a replay)
   * @param clientId how the group's description names this member ({@link KafkaSetup#persisterClientId})
   */
  public MessagePersisterVerticle(ImConfig.Kafka kafka, String group, String clientId, MessageWriter writer) {
    this.kafka = kafka;
    this.group = group;
    this.clientId = clientId;
    this.writer = writer;
  }

  @Override
  public Future<?> start() {
    consumer = KafkaConsumer.create(vertx, KafkaSetup.consumer(kafka, group, clientId));
    return consumer.subscribe(KafkaSetup.MESSAGES).onSuccess(v -> pollNext());
  }

  /** Finishes the batch in flight, then leaves the group, so the other nodes take the partitions at once. */
  @Override
  public Future<?> stop() {
    stopping = true;
    return stopped.future().eventually(() -> consumer.close());
  }

  private void pollNext() {
    if (stopping) {
      stopped.tryComplete();
      return;
    }
    consumer.poll(POLL_TIMEOUT)
        .compose(this::persist)
        .onComplete(done -> {
          if (done.succeeded()) {
            pollNext();
          } else {
            LOG.warn("message log not persisted, retrying in {} ms: {}", RETRY_DELAY_MS, done.cause().toString());
            vertx.setTimer(RETRY_DELAY_MS, t -> pollNext());
          }
        });
  }

  private Future<Void> persist(KafkaConsumerRecords<String, String> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    List<NewMessage> rows = new ArrayList<>(records.size());
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, String> record = records.recordAt(i);
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(partition, record.offset());
      next.put(partition, new OffsetAndMetadata(record.offset() + 1, null));
      rows.add(KafkaMessageLog.decode(record.value()));
    }
    return store(rows)
        .recover(failure -> rewind(first).compose(v -> Future.failedFuture(failure)))
        .compose(v -> consumer.commit(next)
            .<Void>mapEmpty()
            .recover(failure -> {
              // Stored: whoever reads these partitions next skips the rows again.
              LOG.info("offsets of {} stored rows not committed: {}", rows.size(), failure.toString());
              return Future.succeededFuture();
            }));
  }

  private Future<Void> store(List<NewMessage> rows) {
    return writer.insert(rows)
        .compose(inserted -> reportSkipped(rows, inserted))
        .recover(failure -> IsolatingInsert.causedByContent(failure) && rows.size() > 1
            ? storeOneByOne(rows)
            : Future.failedFuture(failure));
  }

  /**
   * A row PostgreSQL refuses for its content was checked by the owner before it was acked ({@link KafkaMessageLog}),
   * so this is a body the check let through: it is logged and passed over rather than block its partition.
   */
  private Future<Void> storeOneByOne(List<NewMessage> rows) {
    Future<Void> chain = Future.succeededFuture();
    for (NewMessage row : rows) {
      chain = chain.compose(v -> store(List.of(row)).recover(failure -> {
        if (!IsolatingInsert.causedByContent(failure)) {
          return Future.failedFuture(failure);
        }
        LOG.error("message conv={} seq={} mid={} refused by the store and passed over: {}", row.conv(), row.seq(),
            row.mid(), failure.toString());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  /**
   * Rows skipped because their (sender, cmid) is stored are replays or retries: expected. One skipped because another
   * message holds its (conv, seq) means two owners gave out the same seq (a split cluster): the stored message is
   * never overwritten, and the skipped one is named in the log.
   */
  private Future<Void> reportSkipped(List<NewMessage> rows, Set<String> inserted) {
    List<NewMessage> skipped = rows.stream().filter(row -> !inserted.contains(MessageWriter.key(row.conv(), row.seq()))).toList();
    if (skipped.isEmpty()) {
      return Future.succeededFuture();
    }
    return writer.findByCmid(skipped.stream().map(NewMessage::sender).toList(), skipped.stream().map(NewMessage::cmid).toList())
        .map(stored -> {
          for (NewMessage row : skipped) {
            if (!stored.containsKey(row.sender() + "\n" + row.cmid())) {
              LOG.warn("seq collision in the message log: conv={} seq={} mid={} not stored", row.conv(), row.seq(), row.mid());
            }
          }
          return null;
        });
  }

  private Future<Void> rewind(Map<TopicPartition, Long> first) {
    List<Future<Void>> seeks = new ArrayList<>(first.size());
    first.forEach((partition, offset) -> seeks.add(consumer.seek(partition, offset)));
    return Future.join(seeks).mapEmpty();
  }
}
