package im.server.message;

import im.testing.TestDatabase;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.server.TestNode;
import im.shared.Ids;
import im.shared.bus.message.Ack;
import im.shared.bus.message.SendCommand;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import im.shared.seq.SeqAllocator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group committer's paths that the end-to-end tests rarely meet, against the real PostgreSQL and Redis: a seq
 * another owner already stored, a retried cmid whose ack was forgotten, and a store that is down.
 */
@ExtendWith(VertxExtension.class)
class GroupCommitterTest {

  private static final String REDIS = TestDatabase.REDIS_URL;
  private static final GroupCommitter.Settings SETTINGS = new GroupCommitter.Settings(100, 2, 100);

  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void database() throws Exception {
    vertx = Vertx.vertx();
    ImConfig config = TestNode.config(new JsonObject());
    Database.prepare(config.pg());
    pool = Database.pool(vertx, config.pg());
  }

  @AfterAll
  static void close() throws Exception {
    pool.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  /** Records what the committer reports, one future per send. */
  private static final class Recorder implements GroupCommitter.Outcome {
    final Promise<Ack> result = Promise.promise();

    @Override
    public void committed(List<PendingSend> sends) {
      sends.forEach(send -> result.tryComplete(send.ack()));
    }

    @Override
    public void storedEarlier(PendingSend send, Ack earlier) {
      result.tryComplete(earlier);
    }

    @Override
    public void failed(PendingSend send, ImException failure) {
      result.tryFail(failure);
    }
  }

  @Test
  void aSeqAnotherOwnerStoredIsTakenAgainAboveTheStoredMaximum() throws Exception {
    String conv = newConversation();
    MessageWriter writer = new MessageWriter(pool);
    // Another owner stored seqs 1..3, and Redis lost the counter: this owner still believes the floor is 0.
    writer.insert(List.of(row(conv, 1, "other-1"), row(conv, 2, "other-2"), row(conv, 3, "other-3")))
        .await(5, TimeUnit.SECONDS);
    Redis.createClient(vertx, REDIS).send(Request.cmd(Command.DEL).arg(SeqAllocator.key(conv))).await(5, TimeUnit.SECONDS);

    Ack ack = commitOne(writer, send(conv, "mine"), 0);

    assertEquals(4, ack.seq(), "the send took the first seq above the stored ones");
    assertEquals("mine", storedCmid(conv, 4));
    assertEquals("other-1", storedCmid(conv, 1), "a stored message is never overwritten");
  }

  @Test
  void aRetriedCmidWhoseAckWasForgottenGetsTheStoredAck() throws Exception {
    String conv = newConversation();
    MessageWriter writer = new MessageWriter(pool);
    SendCommand first = send(conv, "retried");
    Ack original = commitOne(writer, first, 0);

    // A new owner instance (failover, restart) knows neither the ack nor the floor.
    Ack again = commitOne(writer, first, 0);

    assertEquals(original.seq(), again.seq());
    assertEquals(original.mid(), again.mid());
    assertEquals(1L, pool.preparedQuery("SELECT count(*) FROM messages WHERE conv = $1").execute(Tuple.of(conv))
        .await(5, TimeUnit.SECONDS).iterator().next().getLong(0), "stored once");
  }

  @Test
  void aStoreThatIsDownFailsEverySendOfTheBatchAsUnavailable() throws Exception {
    ImConfig config = TestNode.config(new JsonObject());
    Pool closed = Database.pool(vertx, config.pg());
    closed.close().await(5, TimeUnit.SECONDS);
    String conv = newConversation();
    Exception failure = null;
    try {
      commitOne(new MessageWriter(closed), send(conv, "lost"), 0);
    } catch (Exception e) {
      failure = e;
    }
    assertTrue(failure instanceof ImException, "failed with " + failure);
    assertEquals(ErrorCode.UNAVAILABLE, ((ImException) failure).code());
  }

  /** Runs one send through a fresh committer on its own context, as an owner instance would. */
  private static Ack commitOne(MessageWriter writer, SendCommand send, long floor) throws Exception {
    Recorder recorder = new Recorder();
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    vertx.getOrCreateContext().runOnContext(v -> {
      GroupCommitter committer = new GroupCommitter(vertx, SETTINGS, seqs, writer, recorder);
      committer.enqueue(new PendingSend(send, ConvState.p2p(List.of(send.from(), "peer"), floor)));
    });
    try {
      return recorder.result.future().await(10, TimeUnit.SECONDS);
    } finally {
      seqs.close();
    }
  }

  private static SendCommand send(String conv, String cmid) {
    return new SendCommand(conv, "sender-" + conv, "phone", null, cmid, "text", new JsonObject().put("text", cmid));
  }

  private static NewMessage row(String conv, long seq, String cmid) {
    return new NewMessage(conv, seq, Ids.newMid(System.currentTimeMillis()), "someone-" + conv, "phone", cmid, "text",
        "{\"text\":\"x\"}", System.currentTimeMillis());
  }

  private static String newConversation() throws Exception {
    String conv = "g:" + Ids.newId();
    pool.preparedQuery("INSERT INTO conversations (conv, type, created_at) VALUES ($1, 'group', 0)")
        .execute(Tuple.of(conv)).await(5, TimeUnit.SECONDS);
    return conv;
  }

  private static String storedCmid(String conv, long seq) throws Exception {
    return pool.preparedQuery("SELECT cmid FROM messages WHERE conv = $1 AND seq = $2").execute(Tuple.of(conv, seq))
        .await(5, TimeUnit.SECONDS).iterator().next().getString(0);
  }
}
