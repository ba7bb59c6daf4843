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

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group committer's paths that the end-to-end tests rarely meet, against the real PostgreSQL and Redis: a seq
 * another owner already stored, a retried cmid whose ack was forgotten, a store that is down, and a row that
 * cannot be stored or a reply that names a wrong message, which must fail alone (docs/protocol.md §3, Isolation), and
 * the thread counters kept by the insert itself.
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

  @Test
  void aRowTheStoreRefusesFailsAloneAndItsNeighboursAreStored() throws Exception {
    String conv = newConversation();
    // PostgreSQL's jsonb cannot hold U+0000: the insert of a batch holding this row fails with a data exception.
    SendCommand bad = new SendCommand(conv, "sender-" + conv, "phone", null, "nul", "text",
        new JsonObject().put("text", "a\u0000b"));
    List<SendCommand> batch = List.of(send(conv, "n1"), send(conv, "n2"), bad, send(conv, "n3"), send(conv, "n4"));

    List<Future<Ack>> results = commitTogether(new MessageWriter(pool), batch);

    assertRefusedAsBadRequest(results.get(2));
    for (int i : new int[] {0, 1, 3, 4}) {
      Ack ack = results.get(i).await(10, TimeUnit.SECONDS);
      assertEquals(batch.get(i).cmid(), storedCmid(conv, ack.seq()), "the neighbour is stored under its ack's seq");
    }
    assertEquals(4L, storedCount(conv));
  }

  @Test
  void aBodyThatCannotBeEncodedFailsAloneAndItsNeighboursAreStored() throws Exception {
    String conv = newConversation();
    JsonObject deep = new JsonObject().put("v", 1);
    for (int i = 0; i < 200_000; i++) {
      deep = new JsonObject().put("x", deep);
    }
    SendCommand bad = new SendCommand(conv, "sender-" + conv, "phone", null, "deep", "custom",
        new JsonObject().put("type", "t").put("data", deep));
    List<SendCommand> batch = List.of(send(conv, "e1"), bad, send(conv, "e2"));

    List<Future<Ack>> results = commitTogether(new MessageWriter(pool), batch);

    assertRefusedAsBadRequest(results.get(1));
    assertEquals("e1", storedCmid(conv, results.get(0).await(10, TimeUnit.SECONDS).seq()));
    assertEquals("e2", storedCmid(conv, results.get(2).await(10, TimeUnit.SECONDS).seq()));
    assertEquals(2L, storedCount(conv));
  }

  @Test
  void repliesAndCommentsNamingAWrongMessageFailAloneAndTheirNeighboursAreStored() throws Exception {
    String conv = newConversation();
    MessageWriter writer = new MessageWriter(pool);
    long now = System.currentTimeMillis();
    writer.insert(List.of(row(conv, 1, "root"), comment(conv, 2, "comment", 1, now), row(conv, 3, "gone")))
        .await(5, TimeUnit.SECONDS);
    pool.preparedQuery("UPDATE messages SET recalled = true WHERE conv = $1 AND seq = 3").execute(Tuple.of(conv))
        .await(5, TimeUnit.SECONDS);
    List<SendCommand> batch = List.of(
        refSend(conv, "quote", 2L, null),
        refSend(conv, "underComment", null, 2L),
        refSend(conv, "missing", 99L, null),
        refSend(conv, "underRecalled", null, 3L),
        refSend(conv, "quoteRecalled", 3L, null),
        refSend(conv, "onRoot", null, 1L),
        send(conv, "plain"));

    List<Future<Ack>> results = commitTogether(writer, batch);

    for (int i : new int[] {1, 2, 3, 4}) {
      assertRefusedAsBadRequest(results.get(i));
    }
    for (int i : new int[] {0, 5, 6}) {
      Ack ack = results.get(i).await(10, TimeUnit.SECONDS);
      assertEquals(batch.get(i).cmid(), storedCmid(conv, ack.seq()));
    }
    Ack onRoot = results.get(5).await(10, TimeUnit.SECONDS);
    assertEquals(List.of(2L, onRoot.ts()), replyCounters(conv, 1), "the root counts both comments");
  }

  @Test
  void aRootCountsEachCommentOnceEvenWhenItsRowIsWrittenAgain() throws Exception {
    String conv = newConversation();
    MessageWriter writer = new MessageWriter(pool);
    writer.insert(List.of(row(conv, 1, "root"))).await(5, TimeUnit.SECONDS);
    List<NewMessage> comments = List.of(comment(conv, 2, "c1", 1, 1000), comment(conv, 3, "c2", 1, 2000));

    writer.insert(comments).await(5, TimeUnit.SECONDS);
    // A replayed batch (the persister of a durable log after a crash) stores and counts nothing twice.
    writer.insert(comments).await(5, TimeUnit.SECONDS);

    assertEquals(List.of(2L, 2000L), replyCounters(conv, 1));
  }

  private static List<Long> replyCounters(String conv, long seq) throws Exception {
    var row = pool.preparedQuery("SELECT reply_count, last_reply_ts FROM messages WHERE conv = $1 AND seq = $2")
        .execute(Tuple.of(conv, seq)).await(5, TimeUnit.SECONDS).iterator().next();
    return List.of((long) row.getInteger(0), row.getLong(1));
  }

  private static SendCommand refSend(String conv, String cmid, Long replyTo, Long thread) {
    return new SendCommand(conv, "sender-" + conv, "phone", null, cmid, "text", new JsonObject().put("text", cmid),
        replyTo, thread);
  }

  private static NewMessage comment(String conv, long seq, String cmid, long thread, long ts) {
    return new NewMessage(conv, seq, Ids.newMid(ts), "someone-" + conv, "phone", cmid, "text",
        "{\"text\":\"x\"}", ts, null, thread);
  }

  private static void assertRefusedAsBadRequest(Future<Ack> result) throws Exception {
    ImException refusal = null;
    try {
      result.await(10, TimeUnit.SECONDS);
    } catch (ImException e) {
      refusal = e;
    }
    assertTrue(refusal != null, "the bad row was refused");
    assertEquals(ErrorCode.BAD_REQUEST, refusal.code());
  }

  /** Enqueues every send in one go on one context, so that they share one batch, as concurrent clients' would. */
  private static List<Future<Ack>> commitTogether(MessageWriter writer, List<SendCommand> sends) throws Exception {
    Map<String, Promise<Ack>> byCmid = new HashMap<>();
    sends.forEach(send -> byCmid.put(send.cmid(), Promise.promise()));
    GroupCommitter.Outcome outcome = new GroupCommitter.Outcome() {
      @Override
      public void committed(List<PendingSend> committed) {
        committed.forEach(send -> byCmid.get(send.command.cmid()).complete(send.ack()));
      }

      @Override
      public void storedEarlier(PendingSend send, Ack earlier) {
        byCmid.get(send.command.cmid()).complete(earlier);
      }

      @Override
      public void failed(PendingSend send, ImException failure) {
        byCmid.get(send.command.cmid()).fail(failure);
      }
    };
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    GroupCommitter.Settings settings = new GroupCommitter.Settings(100, 50, 100);
    vertx.getOrCreateContext().runOnContext(v -> {
      GroupCommitter committer = new GroupCommitter(vertx, settings, seqs, writer, outcome);
      ConvState state = ConvState.p2p(List.of(sends.get(0).from(), "peer"), 0);
      sends.forEach(send -> committer.enqueue(new PendingSend(send, state)));
    });
    List<Future<Ack>> results = sends.stream().map(send -> byCmid.get(send.cmid()).future()).toList();
    try {
      Future.join(results).await(10, TimeUnit.SECONDS);
    } catch (Exception expected) {
      // some sends are meant to fail; each test checks them one by one
    } finally {
      seqs.close();
    }
    return results;
  }

  private static long storedCount(String conv) throws Exception {
    return pool.preparedQuery("SELECT count(*) FROM messages WHERE conv = $1").execute(Tuple.of(conv))
        .await(5, TimeUnit.SECONDS).iterator().next().getLong(0);
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
        "{\"text\":\"x\"}", System.currentTimeMillis(), null, null);
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
