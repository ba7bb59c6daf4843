package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import im.shared.kafka.KafkaSetup;
import im.testing.KafkaBroker;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka mode's promise for a crash (docs/architecture.md, Kafka mode): a node killed ({@code kill -9}) after Kafka
 * acknowledged messages and before its persister committed their rows loses none of them. Two {@code Main}
 * processes share a broker of the test's own whose message log has one partition, so one persister holds all of it.
 * The test holds that persister inside its insert with a lock on the conversation's row, so the messages are acked
 * but not stored, kills the node, and the survivor's persister must store each of them once, within the group's
 * session timeout and a margin.
 */
class KafkaNodeKillTest {

  private static final int MESSAGES = 20;
  /** The persister group's session timeout (10 s, {@link KafkaSetup}) plus a rebalance and a batch on a busy machine. */
  private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(30);

  @Test
  void everyMessageKafkaAckedIsStoredOnceByTheSurvivorWhenThePersistingNodeIsKilledBeforeItsRowsCommit()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(TestDatabase.URL)).using(vertx).build();
    List<NodeProcess> nodes = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.start()) {
      nodes.addAll(startTwoNodes(broker.bootstrap()));
      NodeProcess first = nodes.get(0);
      ImHttp firstHttp = new ImHttp(vertx, "127.0.0.1", first.httpPort());
      KafkaAdminClient admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", broker.bootstrap()));
      String holderId = awaitPartitionHolder(admin, nodes);
      NodeProcess holder = nodes.stream().filter(n -> n.nodeId.equals(holderId)).findFirst().orElseThrow();
      NodeProcess survivor = nodes.stream().filter(n -> n != holder).findFirst().orElseThrow();

      TestUser alice = await(TestUsers.signUp(firstHttp, "k"));
      TestUser bob = await(TestUsers.signUp(firstHttp, "k"));
      String conv = Conv.p2p(alice.uid(), bob.uid());
      ImClient client = await(ImClient.ws(vertx, "127.0.0.1", first.httpPort()));
      await(client.auth(alice.token(), "phone"));
      assertEquals("ack", await(client.request(Op.SEND, TestCluster.text("open", conv, "opens it"))).getString("t"));
      Poll.until(() -> storedRows(pool, conv) == 1, Duration.ofSeconds(10), "the first message stored");

      SqlConnection locker = await(pool.getConnection());
      Transaction held = await(locker.begin());
      await(locker.preparedQuery("SELECT 1 FROM conversations WHERE conv = $1 FOR UPDATE").execute(Tuple.of(conv)));
      long lockerPid = await(locker.query("SELECT pg_backend_pid()").execute()).iterator().next().getLong(0);
      List<JsonObject> acks = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        JsonObject ack = await(client.request(Op.SEND, TestCluster.text("m" + i, conv, "acked, not stored " + i)));
        assertEquals("ack", ack.getString("t"), ack.encode());
        acks.add(ack);
      }
      client.close();
      Poll.until(() -> blockedBy(pool, lockerPid) > 0, Duration.ofSeconds(10), "the persister waiting in its insert");
      assertEquals(1, storedRows(pool, conv), "acked by Kafka, none stored yet");

      holder.kill();
      long killed = System.nanoTime();
      // PostgreSQL rolls back the statement of a client that is gone once it notices; a backend waiting for a lock
      // notices only after the wait, when it would commit. Ending it now is what noticing at once would do.
      await(pool.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE $1::bigint = ANY(pg_blocking_pids(pid))")
          .execute(Tuple.of(lockerPid)));
      await(held.rollback());
      locker.close();
      Poll.until(() -> storedRows(pool, conv) == MESSAGES + 1, TAKEOVER_LIMIT, "the survivor to store the acked messages");
      long storedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);

      ImHttp survivorHttp = new ImHttp(vertx, "127.0.0.1", survivor.httpPort());
      List<JsonObject> history = TestCluster.history(survivorHttp, bob, conv);
      assertEquals(MESSAGES + 1, history.size(), "history through the survivor");
      for (JsonObject ack : acks) {
        List<JsonObject> stored = history.stream().filter(m -> ack.getString("mid").equals(m.getString("mid"))).toList();
        assertEquals(1, stored.size(), "stored once: " + ack.encode());
        assertEquals(ack.getLong("seq"), stored.get(0).getLong("seq"), "under its acked seq");
      }
      JsonArray synced = await(survivorHttp.post("/api/v1/sync", bob.token(),
          new JsonObject().put("convs", new JsonArray()).put("all", true))).json().getJsonArray("convs");
      Optional<JsonObject> synchronised = synced.stream().map(JsonObject.class::cast)
          .filter(c -> conv.equals(c.getString("conv"))).findFirst();
      assertTrue(synchronised.isPresent(), synced.encode());
      assertEquals(acks.get(MESSAGES - 1).getLong("seq"), synchronised.get().getLong("maxSeq"));
      assertEquals(MESSAGES + 1, synchronised.get().getLong("unread"));
      assertEquals(MESSAGES + 1, await(pool.preparedQuery("SELECT count(DISTINCT cmid) FROM messages WHERE conv = $1")
          .execute(Tuple.of(conv))).iterator().next().getLong(0), "one row per cmid");
      System.out.printf("kafka node kill: %d acked while the persister was held, lost 0, doubled 0; "
          + "the survivor stored them %d ms after the kill%n", MESSAGES, storedAfterMs);
      await(admin.close());
    } finally {
      nodes.forEach(NodeProcess::destroy);
      pool.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Two processes that find each other at fixed cluster ports, started together to save a start-up. */
  private static List<NodeProcess> startTwoNodes(String bootstrap) throws Exception {
    int portA = FreePorts.pick("127.0.0.1");
    int portB = FreePorts.pick("127.0.0.1");
    Path configFile = TestCluster.configFile(TestCluster.settings("im-kafka-kill-" + Ids.newId()));
    String run = Ids.newId().substring(0, 4).replace('-', 'x').replace('_', 'y');
    List<NodeProcess> nodes = new ArrayList<>();
    for (int port : List.of(portA, portB)) {
      NodeProcess node = new NodeProcess("kafka-" + port + "-" + run, Map.of(
          "IM_CLUSTER_HOST", "127.0.0.1", "IM_CLUSTER_PORT", String.valueOf(port),
          "IM_CLUSTER_MEMBERS", "127.0.0.1:" + portA + ",127.0.0.1:" + portB,
          "IM_PG_URL", TestDatabase.URL, "IM_REDIS_URL", TestDatabase.REDIS_URL, "IM_JWT_SECRET", TestCluster.JWT_SECRET,
          "IM_KAFKA_BOOTSTRAP", bootstrap, "IM_KAFKA_PARTITIONS", "1"), configFile);
      nodes.add(node);
      node.start();
    }
    Vertx probe = Vertx.vertx();
    try {
      for (NodeProcess node : nodes) {
        node.awaitHealthy(probe, TestCluster.PROCESS_START_LIMIT);
      }
    } finally {
      probe.close().await(10, TimeUnit.SECONDS);
    }
    return nodes;
  }

  /** The node whose persister holds the only partition, once both persisters are in the settled group. */
  private static String awaitPartitionHolder(KafkaAdminClient admin, List<NodeProcess> nodes) {
    String[] holder = new String[1];
    Poll.until(() -> {
      ConsumerGroupDescription group = await(admin.describeConsumerGroups(List.of(KafkaSetup.PERSISTER_GROUP)))
          .get(KafkaSetup.PERSISTER_GROUP);
      if (group.getState() != ConsumerGroupState.STABLE || group.getMembers().size() != nodes.size()) {
        return false;
      }
      for (MemberDescription member : group.getMembers()) {
        if (!member.getAssignment().getTopicPartitions().isEmpty()) {
          holder[0] = nodes.stream().map(n -> n.nodeId)
              .filter(id -> KafkaSetup.persisterClientId(id).equals(member.getClientId())).findFirst().orElseThrow();
          return true;
        }
      }
      return false;
    }, Duration.ofSeconds(30), "both persisters in the group, one holding the partition");
    return holder[0];
  }

  private static long storedRows(Pool pool, String conv) {
    return await(pool.preparedQuery("SELECT count(*) FROM messages WHERE conv = $1").execute(Tuple.of(conv)))
        .iterator().next().getLong(0);
  }

  private static long blockedBy(Pool pool, long lockerPid) {
    return await(pool.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE $1::bigint = ANY(pg_blocking_pids(pid))")
        .execute(Tuple.of(lockerPid))).iterator().next().getLong(0);
  }
}
