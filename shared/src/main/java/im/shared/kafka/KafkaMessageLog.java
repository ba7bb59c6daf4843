package im.shared.kafka;

import im.shared.message.MessageAppender;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The owner's {@link MessageAppender} in Kafka mode: each row becomes one record of {@link KafkaSetup#MESSAGES}, keyed
 * by its conversation (so one conversation's records stay in order in one partition), and the batch counts as
 * durable once Kafka acknowledged every record ({@code acks=all}, idempotent producer). The persister stores them
 * in PostgreSQL later. Before appending, one statement asks PostgreSQL what the direct insert would have learnt:
 * which (sender, cmid) are stored already (those rows are left out, as the insert skips them) and whether every body
 * can be stored at all (if not, it fails as the insert would, and the caller isolates the row).
 *
 * <p>A record's value is the JSON object {@code {conv, seq, mid, sender, device, cmid, kind, body, ts}}, {@code body}
 * being the message body's JSON text.
 */
public final class KafkaMessageLog implements MessageAppender {

  private final Vertx vertx;
  private final KafkaProducer<String, String> producer;
  private final MessageWriter writer;
  private final int partitions;

  /** @param partitions the partition count of {@link KafkaSetup#MESSAGES} */
  public KafkaMessageLog(Vertx vertx, KafkaProducer<String, String> producer, MessageWriter writer, int partitions) {
    this.vertx = vertx;
    this.producer = producer;
    this.writer = writer;
    this.partitions = partitions;
  }

  @Override
  public Future<Set<String>> append(List<NewMessage> rows) {
    Context owner = vertx.getOrCreateContext();
    return writer.storedCmids(rows).compose(stored -> {
      List<Future<?>> acks = new ArrayList<>(rows.size());
      Set<String> appended = new HashSet<>(rows.size() * 2);
      for (NewMessage row : rows) {
        if (stored.contains(row.sender() + "\n" + row.cmid())) {
          continue;
        }
        acks.add(producer.send(KafkaProducerRecord.create(KafkaSetup.MESSAGES, row.conv(), encode(row), row.ts(),
            KafkaSetup.partitionOf(row.conv(), partitions))));
        appended.add(MessageWriter.key(row.conv(), row.seq()));
      }
      return KafkaSetup.on(owner, Future.all(acks)).map(appended);
    });
  }

  public static String encode(NewMessage row) {
    return new JsonObject()
        .put("conv", row.conv()).put("seq", row.seq()).put("mid", row.mid()).put("sender", row.sender())
        .put("device", row.device()).put("cmid", row.cmid()).put("kind", row.kind()).put("body", row.body())
        .put("ts", row.ts()).put("replyTo", row.replyTo()).put("thread", row.thread())
        .encode();
  }

  public static NewMessage decode(String value) {
    JsonObject json = new JsonObject(value);
    return new NewMessage(json.getString("conv"), json.getLong("seq"), json.getString("mid"), json.getString("sender"),
        json.getString("device"), json.getString("cmid"), json.getString("kind"), json.getString("body"),
        json.getLong("ts"), json.getLong("replyTo"), json.getLong("thread"));
  }
}
