package im.shared.kafka;

import im.protocol.ImException;
import im.shared.message.PersistenceBarrier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The {@link PersistenceBarrier} of Kafka mode. Every acked message has an offset below the end of its partition of
 * {@link KafkaSetup#MESSAGES}, and the persisters commit an offset only once the rows below it are committed in
 * PostgreSQL. So a reader takes the end offsets of the partitions it reads (one, for one conversation) and waits
 * until the persister group's committed offsets reach them: then PostgreSQL holds every message acked before the
 * read began. It costs two admin round trips when the persister is caught up, and a wait of its lag when not.
 * Nothing of it lives in Redis, so losing Redis never weakens it.
 */
public final class KafkaPersistenceBarrier implements PersistenceBarrier {

  private static final long POLL_INTERVAL_MS = 20;

  private final Vertx vertx;
  private final KafkaAdminClient admin;
  private final int partitions;
  private final long waitMs;

  /**
   * @param partitions the partition count of {@link KafkaSetup#MESSAGES}
   * @param waitMs     how long to wait for the persister before failing {@code unavailable}
   */
  public KafkaPersistenceBarrier(Vertx vertx, KafkaAdminClient admin, int partitions, long waitMs) {
    this.vertx = vertx;
    this.admin = admin;
    this.partitions = partitions;
    this.waitMs = waitMs;
  }

  @Override
  public Future<Void> awaitConv(String conv) {
    return await(List.of(KafkaSetup.partitionOf(conv, partitions)));
  }

  @Override
  public Future<Void> awaitAll() {
    return await(IntStream.range(0, partitions).boxed().toList());
  }

  private Future<Void> await(List<Integer> partitionNumbers) {
    Context reader = vertx.getOrCreateContext();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitionNumbers.forEach(p -> latest.put(new TopicPartition(KafkaSetup.MESSAGES, p), OffsetSpec.LATEST));
    long deadline = System.currentTimeMillis() + waitMs;
    Future<Void> reached = admin.listOffsets(latest).compose(ends -> untilCommitted(ends, deadline))
        .timeout(waitMs, TimeUnit.MILLISECONDS)
        .recover(failure -> Future.failedFuture(
            ImException.unavailable("recent messages are not stored yet; retry (" + failure.getMessage() + ")")));
    return KafkaSetup.on(reader, reached);
  }

  private Future<Void> untilCommitted(Map<TopicPartition, ListOffsetsResultInfo> ends, long deadline) {
    return admin.listConsumerGroupOffsets(KafkaSetup.PERSISTER_GROUP).compose(committed -> {
      for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
        OffsetAndMetadata done = committed.get(end.getKey());
        if (end.getValue().getOffset() > (done == null ? 0 : done.getOffset())) {
          if (System.currentTimeMillis() > deadline) {
            return Future.failedFuture("the persister is behind on " + end.getKey().getTopic() + "-"
                + end.getKey().getPartition());
          }
          return vertx.timer(POLL_INTERVAL_MS).compose(t -> untilCommitted(ends, deadline));
        }
      }
      return Future.succeededFuture();
    });
  }
}
