package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.server.TestNode;
import im.shared.Ids;
import im.shared.cluster.ClusterSetup;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A network partition of one member of a three-node cluster, and its heal: the observer node in this JVM and two
 * {@code Main} processes, each in a network namespace of its own ({@link NetworkLab}), on a PostgreSQL and a Redis of
 * the test's own. The cut takes only the member's cluster link down, so both sides keep serving clients and writing
 * to the same stores: the split-brain case. Skipped where namespaces cannot be made (not root, no {@code ip netns}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PartitionTest {

  /** Each route key has a 1 in 3 chance to lose every replica on the far side: enough of them to lose some. */
  private static final int RECEIVERS = 10;
  /** Hazelcast notices the silence (10 s) and, after the heal, merges (checks every 10 s): generous bounds. */
  private static final Duration SPLIT_LIMIT = Duration.ofSeconds(40);
  private static final Duration MERGE_LIMIT = Duration.ofSeconds(90);

  private final Vertx vertx = Vertx.vertx();
  private NetworkLab lab;
  private PrivatePostgres postgres;
  private PrivateRedis redis;
  private TestNode observer;
  private final List<NodeProcess> processes = new ArrayList<>();
  private final List<ImClient> clients = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    lab = NetworkLab.createOrNull(2);
    assumeTrue(lab != null, "a partition needs network namespaces: run as root on Linux with iproute2 (ip netns)");
    assumeTrue(PrivatePostgres.installed() && PrivateRedis.installed(),
        "needs PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin and redis-server on the PATH");
    postgres = PrivatePostgres.start(lab.hostDataAddress());
    redis = PrivateRedis.start(lab.hostDataAddress());
    String run = Ids.newId().substring(0, 4).replace('-', 'x').replace('_', 'y');
    String name = "im-partition-test-" + Ids.newId();
    JsonObject settings = TestCluster.settings(name);
    observer = TestNode.start(settings.copy()
        .put("node", new JsonObject().put("id", "host-" + run))
        .put("cluster", new JsonObject().put("name", name).put("host", lab.hostClusterAddress()))
        .put("pg", new JsonObject().put("url", postgres.url(TestDatabase.NAME)))
        .put("redis", new JsonObject().put("url", redis.url()))
        .put("jwt", new JsonObject().put("secret", TestCluster.JWT_SECRET))
        .put("admin", new JsonObject().put("token", TestCluster.ADMIN_TOKEN)));
    Path configFile = TestCluster.configFile(settings.copy()
        .put("http", new JsonObject().put("host", "0.0.0.0").put("instances", 1))
        .put("tcp", new JsonObject().put("host", "0.0.0.0").put("instances", 1)));
    for (int i = 1; i <= 2; i++) {
      NodeProcess process = new NodeProcess("ns" + i + "-" + run, Map.of(
          "IM_CLUSTER_HOST", lab.clusterAddress(i),
          "IM_CLUSTER_MEMBERS", lab.hostClusterAddress() + ":" + observer.clusterPort(),
          "IM_PG_URL", postgres.url(TestDatabase.NAME), "IM_REDIS_URL", redis.url(),
          "IM_JWT_SECRET", TestCluster.JWT_SECRET, "IM_ADMIN_TOKEN", TestCluster.ADMIN_TOKEN), configFile)
          .inNetworkNamespace(lab.namespace(i), lab.dataAddress(i));
      processes.add(process);
      process.start();
    }
    for (NodeProcess process : processes) {
      process.awaitHealthy(vertx, TestCluster.PROCESS_START_LIMIT);
    }
    awaitMembers(3, Duration.ofSeconds(60));
  }

  @AfterAll
  void stop() throws Exception {
    clients.forEach(ImClient::close);
    processes.forEach(NodeProcess::destroy);
    vertx.close().await(10, TimeUnit.SECONDS);
    if (observer != null) {
      observer.close();
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void aSplitMemberAndTheRestBothServeAndAfterTheHealNothingIsLostDoubledOrMisrouted() throws Exception {
    NodeProcess near = processes.get(0);
    NodeProcess far = processes.get(1);
    TestUser u = newUser();
    TestUser v = newUser();
    String conv = Conv.p2p(u.uid(), v.uid());
    // One conversation written from both sides of the split: u's phone on the near member, v's on the far one.
    Sender nearSide = new Sender(vertx, u, conv, List.of(() -> endpoint(near)), "near", 40).start();
    Sender farSide = new Sender(vertx, v, conv, List.of(() -> endpoint(far)), "far", 40).start();
    List<TestUser> before = new ArrayList<>();
    for (int i = 0; i < RECEIVERS; i++) {
      TestUser receiver = newUser();
      connect(far, receiver);
      before.add(receiver);
    }
    awaitAcks(List.of(nearSide, farSide), 10, Duration.ofSeconds(30), "traffic before the cut");

    long cut = System.nanoTime();
    lab.cut(2);
    awaitMembers(2, SPLIT_LIMIT);
    long splitMs = msSince(cut);
    // Both sides keep storing: the far member owns every conversation on its side.
    awaitAcks(List.of(nearSide, farSide), 20, Duration.ofSeconds(40), "traffic on both sides of the split");
    List<TestUser> during = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestUser receiver = newUser();
      connect(far, receiver);
      during.add(receiver);
    }

    long healed = System.nanoTime();
    lab.heal(2);
    awaitMembers(3, MERGE_LIMIT);
    Poll.until(() -> membersSeenBy(far) == 3, MERGE_LIMIT, "the far member to see the whole cluster again");
    long mergeMs = msSince(healed);
    // Routes: every connection of the far member is routed there again, and no route names a node that is gone.
    List<TestUser> farReceivers = new ArrayList<>(before);
    farReceivers.addAll(during);
    String farId = far.nodeId;
    try {
      Poll.until(() -> farReceivers.stream().allMatch(r -> routesOf(r).equals(Map.of(farId, Set.of("watch")))),
          Duration.ofSeconds(30), "the far member's connections to be routed to it");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + farReceivers.stream().map(r -> r.uid() + "=" + routesOf(r))
          .collect(Collectors.joining(", ")));
    }
    long routedMs = msSince(healed);
    Set<String> members = memberIds();
    for (TestUser user : List.of(u, v)) {
      assertTrue(members.containsAll(routesOf(user).keySet()), user.uid() + " routed to " + routesOf(user));
    }

    awaitAcks(List.of(nearSide, farSide), 10, Duration.ofSeconds(40), "traffic after the merge");
    nearSide.stop();
    farSide.stop();

    // Ownership: the conversation has one owner again, a member of the merged cluster.
    String owner = ClusterSetup.nodeIdOf(observer.node().hazelcast().getPartitionService().getPartition(conv).getOwner());
    assertTrue(members.contains(owner), "owner " + owner + " of " + conv + " among " + members);

    // Live delivery from this side to connections the far member held before and since the cut.
    TestUser writer = newUser();
    ImClient writerClient = connect(null, writer);
    for (int i = 0; i < farReceivers.size(); i++) {
      TestUser receiver = farReceivers.get(i);
      JsonObject ack = await(writerClient.request(Op.SEND, TestCluster.text("after-" + i,
          Conv.p2p(writer.uid(), receiver.uid()), "after the merge")));
      assertEquals("ack", ack.getString("t"), ack.encode());
      JsonObject msg = await(clients.get(i).next(Op.MSG));
      assertEquals(ack.getString("mid"), msg.getString("mid"), "live delivery to " + receiver.uid());
    }

    // Nothing acked on either side was lost or stored twice, and no seq was given to two messages.
    List<JsonObject> history = TestCluster.history(new ImHttp(vertx, "127.0.0.1", observer.httpPort()), u, conv);
    nearSide.assertEveryAckStoredOnce(history);
    farSide.assertEveryAckStoredOnce(history);
    Set<Long> seqs = new HashSet<>();
    for (Sender side : List.of(nearSide, farSide)) {
      side.acked.values().forEach(ack -> assertTrue(seqs.add(ack.getLong("seq")), "seq given twice: " + ack));
    }
    System.out.printf("partition: split seen after %d ms, merged %d ms after the heal, routes right %d ms after it;"
            + " acked %d on the near side and %d on the far side, 0 lost, 0 doubled, 0 seqs reused%n",
        splitMs, mergeMs, routedMs, nearSide.acked.size(), farSide.acked.size());
  }

  private TestUser newUser() {
    return await(TestUsers.signUp(new ImHttp(vertx, "127.0.0.1", observer.httpPort()), "p"));
  }

  private Endpoint endpoint(NodeProcess process) {
    return new Endpoint(process.host(), process.httpPort());
  }

  /** A {@code watch} connection of {@code user} to {@code process}, or to the observer when null. */
  private ImClient connect(NodeProcess process, TestUser user) {
    ImClient client = process == null
        ? await(ImClient.ws(vertx, "127.0.0.1", observer.httpPort()))
        : await(ImClient.ws(vertx, process.host(), process.httpPort()));
    await(client.auth(user.token(), "watch"));
    clients.add(client);
    return client;
  }

  private Map<String, Set<String>> routesOf(TestUser user) {
    return await(observer.node().routes().lookup(List.of(user.uid()))).getOrDefault(user.uid(), Map.of());
  }

  private Set<String> memberIds() {
    return observer.node().hazelcast().getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf)
        .collect(Collectors.toSet());
  }

  private void awaitMembers(int count, Duration limit) {
    Poll.until(() -> memberIds().size() == count, limit, "a cluster of " + count + " members, now " + memberIds());
  }

  private int membersSeenBy(NodeProcess process) {
    try {
      return new ImHttp(vertx, process.host(), process.httpPort()).get("/admin/nodes", TestCluster.ADMIN_TOKEN)
          .await(5, TimeUnit.SECONDS).json().getJsonArray("nodes").size();
    } catch (Exception noAnswer) {
      return 0;
    }
  }

  private static void awaitAcks(List<Sender> senders, int more, Duration limit, String what) {
    List<Integer> targets = senders.stream().map(s -> s.acked.size() + more).toList();
    Poll.until(() -> {
      for (int i = 0; i < senders.size(); i++) {
        if (senders.get(i).failure != null) {
          throw new AssertionError("sender failed", senders.get(i).failure);
        }
        if (senders.get(i).acked.size() < targets.get(i)) {
          return false;
        }
      }
      return true;
    }, limit, what);
  }

  private static long msSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
