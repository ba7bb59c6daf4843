package im.server;

import com.hazelcast.core.Hazelcast;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.message.MessagePersisterVerticle;
import im.shared.Ids;
import im.shared.bus.Addresses;
import im.shared.db.Database;
import im.shared.kafka.KafkaSetup;
import im.shared.message.MessageWriter;
import im.shared.seq.SeqAllocator;
import im.testing.KafkaBroker;
import im.testing.Poll;
import im.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static im.server.SocialEndToEndTest.text;
import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka mode on a two-node cluster against a real broker: acks come from Kafka, rows from the persisters, and a
 * client still reads its writes on either node. The persister is held back where a test needs it behind, by a
 * transaction that locks the conversation's row (the persister's insert raises that row's floor, so it waits).
 */
class KafkaModeTest {

  private static final int TOPIC_PARTITIONS = 2;
  private static TestNode one;
  private static TestNode two;
  private static Vertx vertx;
  private static Pool pool;
  /** Transactions holding the persister back: one a failed test left open would stall the persisters for good. */
  private static final List<Transaction> holding = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    KafkaBroker broker = KafkaBroker.shared();
    String name = "im-kafka-" + Ids.newId();
    // Reads wait for the held-back persister: 10 s rather than 2, so a loaded machine's slow commit is not a failure.
    JsonObject kafka = new JsonObject().put("bootstrap", broker.bootstrap()).put("partitions", TOPIC_PARTITIONS)
        .put("readWaitMs", 10_000);
    one = TestNode.start(new JsonObject().put("kafka", kafka).put("cluster", new JsonObject().put("name", name)));
    two = TestNode.start(new JsonObject().put("kafka", kafka)
        .put("cluster", new JsonObject().put("name", name).put("members", "127.0.0.1:" + one.clusterPort())));
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, one.config().pg());
    // While partitions migrate to the second member, conversations change owner and the new owner loads them through
    // the persistence barrier: a test holding the persister back would then see unavailable, as it should. Start
    // once the cluster is settled.
    Poll.until(() -> Hazelcast.getAllHazelcastInstances().stream().allMatch(h -> h.getPartitionService().isClusterSafe()),
        Duration.ofSeconds(60), "partition migrations to finish");
  }

  @AfterEach
  void releaseThePersister() {
    holding.forEach(tx -> tx.rollback().otherwiseEmpty().await());
    holding.clear();
  }

  @AfterAll
  static void stopCluster() {
    two.close();
    one.close();
    pool.close().await();
    vertx.close().await();
  }

  @Test
  void theOneToOneFlowWorksAndEveryReadOnTheOtherNodeIncludesWhatWasAcked() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    ImClient aliceOnOne = await(one.connect("ws", alice, "a1"));
    ImClient bobOnTwo = await(two.connect("tcp", bob, "b1"));

    JsonObject ack = await(aliceOnOne.request(Op.SEND, text("k1", bob, "hello over kafka")));
    assertEquals("ack", ack.getString("t"), ack.encode());
    String conv = ack.getString("conv");
    JsonObject msg = await(bobOnTwo.next(Op.MSG));
    assertEquals(ack.getString("mid"), msg.getString("mid"));
    JsonObject retried = await(aliceOnOne.request(Op.SEND, text("k1", bob, "hello over kafka")));
    assertEquals(ack.getLong("seq"), retried.getLong("seq"), "a retried cmid gets the same ack");
    assertEquals(ack.getString("mid"), retried.getString("mid"));

    // Held back: the next ack comes from Kafka while the persister cannot store its row.
    Transaction held = holdPersister(conv);
    JsonObject second = await(aliceOnOne.request(Op.SEND, text("k2", bob, "acked before stored")));
    assertEquals("ack", second.getString("t"), second.encode());
    Future<HttpResult> history = two.http().get("/api/v1/conversations/" + conv + "/messages", bob.token());
    Future<HttpResult> sync = two.http().post("/api/v1/sync", bob.token(), new JsonObject().put("convs", new JsonArray()).put("all", true));
    Future<HttpResult> list = two.http().get("/api/v1/conversations", bob.token());
    await(vertx.timer(300).compose(t -> held.commit()));

    assertEquals(List.of(ack.getLong("seq"), second.getLong("seq")), seqs(await(history).json().getJsonArray("messages")));
    JsonObject synced = await(sync).json().getJsonArray("convs").stream().map(JsonObject.class::cast)
        .filter(c -> conv.equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals(second.getLong("seq"), synced.getLong("maxSeq"));
    assertEquals(2, synced.getLong("unread"));
    JsonObject listed = await(list).json().getJsonArray("conversations").getJsonObject(0);
    assertEquals(conv, listed.getString("conv"));
    assertEquals(2, listed.getLong("unread"));
    assertEquals(second.getString("mid"), listed.getJsonObject("lastMessage").getString("mid"));
    assertEquals(2, storedRows(conv), "stored once each, the retry included");
    aliceOnOne.close();
    bobOnTwo.close();
  }

  @Test
  void aMessageAckedButNotYetStoredCanBeRecalled() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    ImClient aliceOnTwo = await(two.connect("tcp", alice, "a1"));
    JsonObject first = await(aliceOnTwo.request(Op.SEND, text("r1", bob, "opens the conversation")));
    String conv = first.getString("conv");

    Transaction held = holdPersister(conv);
    JsonObject ack = await(aliceOnTwo.request(Op.SEND, text("r2", bob, "take this back")));
    Future<JsonObject> recalled = aliceOnTwo.request(Op.RECALL,
        new JsonObject().put("conv", conv).put("seq", ack.getLong("seq")));
    await(vertx.timer(300).compose(t -> held.commit()));

    JsonObject reply = await(recalled);
    assertTrue(!"error".equals(reply.getString("t")), reply.encode());
    JsonArray messages = await(one.http().get("/api/v1/conversations/" + conv + "/messages", bob.token()))
        .json().getJsonArray("messages");
    assertEquals(true, messages.getJsonObject(1).getBoolean("recalled"), messages.encode());
    aliceOnTwo.close();
  }

  /**
   * The owner re-seeds a lost Redis counter from the durable floor, which lags the log in Kafka mode: it must wait
   * for the persister, or the next send would take a seq Kafka already acked (and the persister would drop it).
   */
  @Test
  void aLostSeqCounterIsReseededAboveEverySeqKafkaAckedAlthoughThePersisterLags() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    ImClient alice1 = await(one.connect("ws", alice, "a1"));
    String conv = await(alice1.request(Op.SEND, text("s0", bob, "first"))).getString("conv");

    Transaction held = holdPersister(conv);
    long lastAcked = 0;
    for (int i = 1; i <= 3; i++) {
      lastAcked = acked(alice1, text("s" + i, bob, "acked, not stored")).getLong("seq");
    }
    Redis redis = Redis.createClient(vertx, TestDatabase.REDIS_URL);
    await(redis.send(Request.cmd(Command.DEL).arg(SeqAllocator.key(conv))));
    redis.close();
    forgetOwnedConversations();
    Future<JsonObject> next = alice1.request(Op.SEND, text("s4", bob, "after the counter was lost"));
    await(vertx.timer(300).compose(t -> held.commit()));

    JsonObject ack = await(next);
    assertTrue(ack.getLong("seq") > lastAcked, ack.encode() + " must lie above the acked seq " + lastAcked);
    Poll.until(() -> storedRows(conv) == 5, Duration.ofSeconds(30), "all five messages stored");
    alice1.close();
  }

  /** A new consumer group reads the whole log again: the rows are all there already, and none is written twice. */
  @Test
  void replayingTheWholeLogWritesNothingTwice() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    ImClient alice1 = await(one.connect("tcp", alice, "a1"));
    String conv = null;
    for (int i = 0; i < 5; i++) {
      conv = await(alice1.request(Op.SEND, text("p" + i, bob, "replayed " + i))).getString("conv");
    }
    String stored = conv;
    Poll.until(() -> storedRows(stored) == 5, Duration.ofSeconds(10), "five rows stored");
    long allRows = countAll();

    String replayGroup = "im.replay-" + Ids.newId();
    String id = await(vertx.deployVerticle(new MessagePersisterVerticle(one.config().kafka(), replayGroup,
        replayGroup, new MessageWriter(pool))));
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, KafkaSetup.admin(one.config().kafka()));
    Poll.until(() -> caughtUp(admin, replayGroup), Duration.ofSeconds(30), "the replay to reach the end of the log");
    await(vertx.undeploy(id));
    await(admin.close());

    assertEquals(5, storedRows(conv));
    assertEquals(allRows, countAll(), "the replay wrote no row");
    alice1.close();
  }

  private static boolean caughtUp(KafkaAdminClient admin, String group) {
    var committed = await(admin.listConsumerGroupOffsets(group));
    var latest = new java.util.HashMap<io.vertx.kafka.client.common.TopicPartition, io.vertx.kafka.admin.OffsetSpec>();
    int partitions = await(admin.describeTopics(List.of(KafkaSetup.MESSAGES))).get(KafkaSetup.MESSAGES).getPartitions().size();
    for (int p = 0; p < partitions; p++) {
      latest.put(new io.vertx.kafka.client.common.TopicPartition(KafkaSetup.MESSAGES, p), io.vertx.kafka.admin.OffsetSpec.LATEST);
    }
    var ends = await(admin.listOffsets(latest));
    return ends.entrySet().stream().allMatch(end -> end.getValue().getOffset() == 0
        || committed.containsKey(end.getKey()) && committed.get(end.getKey()).getOffset() >= end.getValue().getOffset());
  }

  /** What an ownership move does to the owners: they forget their conversations and reload them on next use. */
  private static void forgetOwnedConversations() {
    one.node().vertx().eventBus().publish(Addresses.OWNERSHIP_CHANGED, new JsonObject());
    two.node().vertx().eventBus().publish(Addresses.OWNERSHIP_CHANGED, new JsonObject());
  }

  private static Transaction holdPersister(String conv) {
    SqlConnection connection = await(pool.getConnection());
    Transaction tx = await(connection.begin());
    await(connection.preparedQuery("SELECT 1 FROM conversations WHERE conv = $1 FOR UPDATE").execute(Tuple.of(conv)));
    tx.completion().onComplete(done -> connection.close());
    holding.add(tx);
    return tx;
  }

  /**
   * Sends until the answer is not {@code unavailable}, with the same cmid, as a client does: on a loaded machine Kafka
   * may take longer than the send timeout. The answer must then be the ack.
   */
  private static JsonObject acked(ImClient client, JsonObject send) {
    AtomicReference<JsonObject> reply = new AtomicReference<>();
    try {
      Poll.until(() -> {
        reply.set(await(client.request(Op.SEND, send.copy())));
        return !"unavailable".equals(reply.get().getString("code"));
      }, Duration.ofSeconds(30), "an answer other than unavailable");
    } catch (AssertionError stillUnavailable) {
      throw new AssertionError(stillUnavailable.getMessage() + "; the last: " + reply.get().encode(), stillUnavailable);
    }
    assertEquals("ack", reply.get().getString("t"), reply.get().encode());
    return reply.get();
  }

  private static long storedRows(String conv) {
    return await(pool.preparedQuery("SELECT count(*) FROM messages WHERE conv = $1").execute(Tuple.of(conv)))
        .iterator().next().getLong(0);
  }

  private static long countAll() {
    return await(pool.query("SELECT count(*) FROM messages").execute()).iterator().next().getLong(0);
  }

  private static List<Long> seqs(JsonArray messages) {
    List<Long> seqs = new ArrayList<>();
    messages.forEach(m -> seqs.add(((JsonObject) m).getLong("seq")));
    return seqs;
  }
}
