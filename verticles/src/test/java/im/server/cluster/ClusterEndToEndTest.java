package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several nodes in one cluster: two real {@code Main} processes and one in-process observer node. The tests
 * that kill or restart processes run last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndTest {

  private TestCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    long started = System.nanoTime();
    cluster = TestCluster.start(2);
    System.out.printf("cluster of 3 up in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private NodeProcess p(int i) {
    return cluster.processes.get(i - 1);
  }

  @Test
  @Order(1)
  void aMessageCrossesNodes() {
    TestUser alice = cluster.newUser();
    TestUser bob = cluster.newUser();
    ImClient a = cluster.connect(p(1).httpPort(), alice, "phone");
    ImClient b = cluster.connect(p(2).httpPort(), bob, "phone");
    String conv = Conv.p2p(alice.uid(), bob.uid());

    JsonObject ack = await(a.request(Op.SEND, TestCluster.text("x1", conv, "hello across nodes")));
    assertEquals("ack", ack.getString("t"), ack.encode());
    JsonObject msg = await(b.next(Op.MSG));
    assertEquals(ack.getLong("seq"), msg.getLong("seq"));
    assertEquals("hello across nodes", msg.getJsonObject("body").getString("text"));

    JsonObject back = await(b.request(Op.SEND, TestCluster.text("y1", conv, "hello back")));
    assertEquals(ack.getLong("seq") + 1, back.getLong("seq"));
    assertEquals(back.getString("mid"), await(a.next(Op.MSG)).getString("mid"));
    a.close();
    b.close();
  }

  @Test
  @Order(2)
  void concurrentSendersOnDifferentNodesAreDeliveredInSeqOrder() {
    TestUser alice = cluster.newUser();
    TestUser bob = cluster.newUser();
    String conv = Conv.p2p(alice.uid(), bob.uid());
    ImClient alicePhone = cluster.connect(p(1).httpPort(), alice, "phone");
    ImClient bobPhone = cluster.connect(p(2).httpPort(), bob, "phone");
    ImClient aliceWatch = cluster.connect(cluster.localHttpPort(), alice, "watch");
    int each = 60;
    List<Future<JsonObject>> acks = new ArrayList<>();
    for (int i = 0; i < each; i++) {
      acks.add(alicePhone.request(Op.SEND, TestCluster.text("a" + i, conv, "from alice " + i)));
      acks.add(bobPhone.request(Op.SEND, TestCluster.text("b" + i, conv, "from bob " + i)));
    }
    await(Future.all(acks));
    acks.forEach(ack -> assertEquals("ack", ack.result().getString("t"), ack.result().encode()));

    assertStrictlyIncreasing(receive(aliceWatch, 2 * each), "alice's watch (on the observer node)");
    assertStrictlyIncreasing(receive(bobPhone, each), "bob's phone (on p2)");
    assertStrictlyIncreasing(receive(alicePhone, each), "alice's phone (on p1)");
    List.of(alicePhone, bobPhone, aliceWatch).forEach(ImClient::close);
  }

  private static List<Long> receive(ImClient client, int count) {
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      seqs.add(await(client.next(Op.MSG)).getLong("seq"));
    }
    return seqs;
  }

  private static void assertStrictlyIncreasing(List<Long> seqs, String who) {
    for (int i = 1; i < seqs.size(); i++) {
      assertTrue(seqs.get(i) > seqs.get(i - 1), who + " got seq " + seqs.get(i) + " after " + seqs.get(i - 1) + ": " + seqs);
    }
  }

  @Test
  @Order(3)
  void routesFollowConnectionsAcrossNodes() throws Exception {
    TestUser carol = cluster.newUser();
    ImClient phone = cluster.connect(p(1).httpPort(), carol, "phone");
    ImClient tablet = cluster.connect(p(2).httpPort(), carol, "tablet");
    assertEquals(Map.of(p(1).nodeId, Set.of("phone"), p(2).nodeId, Set.of("tablet")), cluster.routesOf(carol.uid()));

    tablet.close();
    Poll.until(() -> cluster.routesOf(carol.uid()).equals(Map.of(p(1).nodeId, Set.of("phone"))), Duration.ofSeconds(10),
        "the tablet's route to go");
    phone.close();
    Poll.until(() -> cluster.routesOf(carol.uid()).isEmpty(), Duration.ofSeconds(10), "carol to be offline");
  }

  @Test
  @Order(4)
  void theSameDeviceOnAnotherNodeReplacesTheFirstAndTheLimitCountsEveryNode() {
    TestUser dave = cluster.newUser();
    ImClient phoneOnP1 = cluster.connect(p(1).httpPort(), dave, "phone");
    ImClient phoneOnP2 = cluster.connect(p(2).httpPort(), dave, "phone");
    assertEquals("replaced", await(phoneOnP1.next(Op.KICKED)).getString("reason"));
    await(phoneOnP1.closed());

    // maxDevices is 3 in this cluster: phone (p2), tablet (observer), laptop (p1), then a watch (p2).
    ImClient tablet = cluster.connect(cluster.localHttpPort(), dave, "tablet");
    ImClient laptop = cluster.connect(p(1).httpPort(), dave, "laptop");
    ImClient watch = cluster.connect(p(2).httpPort(), dave, "watch");
    assertEquals("device_limit", await(phoneOnP2.next(Op.KICKED)).getString("reason"));
    await(phoneOnP2.closed());
    for (ImClient kept : List.of(tablet, laptop, watch)) {
      assertEquals("pong", await(kept.request(Op.PING, new JsonObject())).getString("t"));
      kept.close();
    }
  }

  @Test
  @Order(5)
  void operatorsSeeEveryNodeAndScaleAndKickAnywhere() throws Exception {
    ImHttp viaP1 = cluster.http(p(1).httpPort());
    assertEquals(401, await(viaP1.get("/admin/nodes", null)).status());
    assertEquals(401, await(viaP1.get("/admin/nodes", "wrong-token")).status());

    JsonObject nodes = await(viaP1.get("/admin/nodes", TestCluster.ADMIN_TOKEN)).json();
    Map<String, JsonObject> byNode = new HashMap<>();
    nodes.getJsonArray("nodes").forEach(n -> byNode.put(((JsonObject) n).getString("node"), (JsonObject) n));
    assertEquals(Set.of(p(1).nodeId, p(2).nodeId, cluster.localId()), byNode.keySet(), nodes.encode());
    for (JsonObject node : byNode.values()) {
      assertEquals(2, node.getJsonObject("verticles").getInteger("message"), node.encode());
      assertEquals(1, node.getJsonObject("verticles").getInteger("http"), node.encode());
      assertTrue(node.getJsonObject("connections").containsKey("ws"), node.encode());
    }

    // Scaling p2's owners through p1, while a conversation is in use.
    TestUser erin = cluster.newUser();
    TestUser frank = cluster.newUser();
    String conv = Conv.p2p(erin.uid(), frank.uid());
    ImClient erinOnP2 = cluster.connect(p(2).httpPort(), erin, "phone");
    assertEquals("ack", await(erinOnP2.request(Op.SEND, TestCluster.text("s1", conv, "before"))).getString("t"));
    JsonObject scaled = await(viaP1.post("/admin/verticles/message/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 3).put("node", p(2).nodeId))).json();
    assertEquals(new JsonObject().put("node", p(2).nodeId).put("verticle", "message").put("instances", 3), scaled);
    assertEquals("ack", await(erinOnP2.request(Op.SEND, TestCluster.text("s2", conv, "after"))).getString("t"));
    assertEquals(1, await(viaP1.post("/admin/verticles/message/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 1).put("node", p(2).nodeId))).json().getInteger("instances"));
    assertEquals("ack", await(erinOnP2.request(Op.SEND, TestCluster.text("s3", conv, "fewer"))).getString("t"));
    await(viaP1.post("/admin/verticles/message/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 2).put("node", p(2).nodeId)));

    // HTTP instances of the observer, up and down, while a WebSocket client stays connected to the first.
    ImHttp local = cluster.localHttp();
    ImClient staying = cluster.connect(cluster.localHttpPort(), frank, "phone");
    assertEquals(3, await(local.post("/admin/verticles/http/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 3))).json().getInteger("instances"));
    ImClient extra = cluster.connect(cluster.localHttpPort(), erin, "tablet");
    assertEquals(1, await(local.post("/admin/verticles/http/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 1))).json().getInteger("instances"));
    assertEquals("pong", await(staying.request(Op.PING, new JsonObject())).getString("t"));
    assertEquals(200, await(local.get("/health", null)).status());
    extra.close();

    assertEquals(404, await(viaP1.post("/admin/verticles/nope/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 2))).status());
    assertEquals(400, await(viaP1.post("/admin/verticles/tcp/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 0))).status());
    assertEquals(400, await(viaP1.post("/admin/verticles/tcp/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 65))).status());
    assertEquals(400, await(viaP1.post("/admin/verticles/delivery/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 2))).status());
    assertEquals(404, await(viaP1.post("/admin/verticles/tcp/scale", TestCluster.ADMIN_TOKEN,
        new JsonObject().put("instances", 2).put("node", "no-such-node"))).status());

    // Kick: frank's devices on the observer and on p2 both go.
    ImClient frankOnP2 = cluster.connect(p(2).httpPort(), frank, "desktop");
    assertEquals(204, await(viaP1.post("/admin/users/" + frank.uid() + "/kick", TestCluster.ADMIN_TOKEN,
        new JsonObject())).status());
    assertEquals("admin", await(staying.next(Op.KICKED)).getString("reason"));
    assertEquals("admin", await(frankOnP2.next(Op.KICKED)).getString("reason"));
    erinOnP2.close();
  }

  /** A fresh pair of users whose one-to-one conversation is owned by {@code node}. */
  private TestUser[] pairOwnedBy(String node) {
    TestUser first = cluster.newUser();
    for (int i = 0; i < 40; i++) {
      TestUser second = cluster.newUser();
      if (node.equals(cluster.ownerOf(Conv.p2p(first.uid(), second.uid())))) {
        return new TestUser[] {first, second};
      }
    }
    throw new AssertionError("no conversation owned by " + node + " among 40 tries");
  }

  /** Every acked message is in the history exactly once, with the seq and mid of its ack. */
  private void assertEveryAckStoredOnce(Sender sender, TestUser reader, String conv) {
    Map<String, JsonObject> byCmid = new HashMap<>();
    for (JsonObject message : cluster.history(cluster.localHttpPort(), reader, conv)) {
      JsonObject earlier = byCmid.put(message.getString("cmid"), message);
      assertNull(earlier, "stored twice: " + message.getString("cmid"));
    }
    sender.acked.forEach((cmid, ack) -> {
      JsonObject stored = byCmid.get(cmid);
      assertNotNull(stored, "acked but not stored: " + cmid);
      assertEquals(ack.getLong("seq"), stored.getLong("seq"), cmid);
      assertEquals(ack.getString("mid"), stored.getString("mid"), cmid);
    });
  }

  @Test
  @Order(10)
  void whenANodeIsKilledOthersServeItsConversationsAndItsClientsSyncEveryAckedMessage() throws Exception {
    TestUser[] pair = pairOwnedBy(p(2).nodeId);
    TestUser sender = pair[0];
    TestUser receiver = pair[1];
    String conv = Conv.p2p(sender.uid(), receiver.uid());
    ImClient receiverOnP2 = cluster.connect(p(2).httpPort(), receiver, "phone");
    assertTrue(cluster.routesOf(receiver.uid()).containsKey(p(2).nodeId));
    Sender sending = new Sender(cluster.vertx, sender, conv,
        List.of(Endpoint.local(p(1)::httpPort), Endpoint.local(cluster::localHttpPort)), "k", 20).start();
    Poll.until(() -> sending.acked.size() >= 10 || sending.failure != null, Duration.ofSeconds(20),
        "acks before the kill");

    int ackedBefore = sending.acked.size();
    long killed = System.nanoTime();
    p(2).kill();
    await(receiverOnP2.closed());
    Poll.until(() -> !cluster.routesOf(receiver.uid()).containsKey(p(2).nodeId), Duration.ofSeconds(30),
        "the dead node's routes to go");
    long routesGoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    Poll.until(() -> sending.acked.size() >= ackedBefore + 20 || sending.failure != null, Duration.ofSeconds(30),
        "acks after the kill");
    sending.stop();
    System.out.printf("kill -9: routes dropped after %d ms; longest wait for one ack %d ms; %d acked%n",
        routesGoneMs, sending.longestAckMs, sending.acked.size());
    assertTrue(sending.longestAckMs < 30_000, "a send waited " + sending.longestAckMs + " ms");
    assertNotEquals(p(2).nodeId, cluster.ownerOf(conv));

    // The receiver comes back on another node and syncs every acked message.
    ImClient again = cluster.connect(p(1).httpPort(), receiver, "phone");
    JsonObject sync = await(cluster.http(p(1).httpPort()).post("/api/v1/sync", receiver.token(), new JsonObject()
        .put("convs", new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 0))).put("limit", 1000))).json();
    Set<String> synced = new HashSet<>();
    sync.getJsonArray("convs").getJsonObject(0).getJsonArray("messages")
        .forEach(m -> synced.add(((JsonObject) m).getString("cmid")));
    assertTrue(synced.containsAll(sending.acked.keySet()), "synced " + synced.size() + " of " + sending.acked.size());
    assertEveryAckStoredOnce(sending, receiver, conv);
    again.close();

    p(2).start();
    p(2).awaitHealthy(cluster.vertx, TestCluster.PROCESS_START_LIMIT);
    cluster.awaitMembers(3, Duration.ofSeconds(60));
  }

  @Test
  @Order(11)
  void aRollingRestartUnderSteadyTrafficLosesNoAckedMessage() throws Exception {
    List<Sender> senders = new ArrayList<>();
    List<TestUser> readers = new ArrayList<>();
    List<String> convs = new ArrayList<>();
    // Suppliers, not ports: a restarted process listens on a port of its own choosing again.
    List<List<Supplier<Endpoint>>> homes = List.of(
        List.of(Endpoint.local(p(1)::httpPort), Endpoint.local(cluster::localHttpPort)),
        List.of(Endpoint.local(p(2)::httpPort), Endpoint.local(cluster::localHttpPort)),
        List.of(Endpoint.local(cluster::localHttpPort)));
    for (int i = 0; i < homes.size(); i++) {
      TestUser from = cluster.newUser();
      TestUser to = cluster.newUser();
      String conv = Conv.p2p(from.uid(), to.uid());
      readers.add(to);
      convs.add(conv);
      senders.add(new Sender(cluster.vertx, from, conv, homes.get(i), "r" + i, 30).start());
    }
    Poll.until(() -> senders.stream().allMatch(s -> s.acked.size() >= 5 || s.failure != null), Duration.ofSeconds(20),
        "traffic to start");
    for (NodeProcess node : List.of(p(1), p(2))) {
      int before = senders.stream().mapToInt(s -> s.acked.size()).sum();
      long started = System.nanoTime();
      assertEquals(0, node.terminate(), node.output());
      long drainedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      Poll.until(() -> senders.stream().mapToInt(s -> s.acked.size()).sum() >= before + 10
          || senders.stream().anyMatch(s -> s.failure != null), Duration.ofSeconds(30),
          "traffic while " + node.nodeId + " is down");
      node.start();
      node.awaitHealthy(cluster.vertx, TestCluster.PROCESS_START_LIMIT);
      cluster.awaitMembers(3, Duration.ofSeconds(60));
      System.out.printf("rolling restart: %s drained and exited 0 in %d ms%n", node.nodeId, drainedMs);
    }
    for (Sender sender : senders) {
      sender.stop();
    }
    for (int i = 0; i < senders.size(); i++) {
      assertEveryAckStoredOnce(senders.get(i), readers.get(i), convs.get(i));
      System.out.printf("rolling restart: sender %d: %d acked, %d connections, longest ack wait %d ms%n",
          i, senders.get(i).acked.size(), senders.get(i).reconnects.get(), senders.get(i).longestAckMs);
    }
    assertTrue(senders.get(0).reconnects.get() >= 2 && senders.get(1).reconnects.get() >= 2,
        "the clients of the restarted nodes moved");
  }

  /**
   * The owner of a call dies (kill -9): another node ends its calls, an accepted one as completed and a ringing one as
   * missed, long before the ring timeout. The owner of another call stops cleanly: the call goes on under the next
   * owner. Last, since it leaves one process dead and the other stopped.
   */
  @Test
  @Order(12)
  void aDeadOwnersCallsEndElsewhereAndACleanlyStoppedOwnersCallGoesOn() throws Exception {
    TestUser[] killedPair = pairOwnedBy(p(1).nodeId);
    TestUser[] stoppedPair = pairOwnedBy(p(2).nodeId);
    String killedConv = Conv.p2p(killedPair[0].uid(), killedPair[1].uid());
    String stoppedConv = Conv.p2p(stoppedPair[0].uid(), stoppedPair[1].uid());
    ImClient caller = cluster.connect(cluster.localHttpPort(), killedPair[0], "d");
    ImClient callee = cluster.connect(cluster.localHttpPort(), killedPair[1], "d");
    ImClient stayingCaller = cluster.connect(cluster.localHttpPort(), stoppedPair[0], "d");
    ImClient stayingCallee = cluster.connect(cluster.localHttpPort(), stoppedPair[1], "d");
    callStep(caller, killedConv, "accepted", "invite", new JsonObject().put("media", "audio"));
    callStep(callee, killedConv, "accepted", "accept", new JsonObject());
    callStep(caller, killedConv, "ringing", "invite", new JsonObject().put("media", "video"));
    callStep(stayingCaller, stoppedConv, "on", "invite", new JsonObject().put("media", "audio"));
    callStep(stayingCallee, stoppedConv, "on", "accept", new JsonObject());

    long killed = System.nanoTime();
    p(1).kill();
    Map<String, String> results = new HashMap<>();
    for (int i = 0; i < 2; i++) {
      JsonObject body = await(caller.timeout(30_000).next(Op.MSG)).getJsonObject("body");
      results.put(body.getString("callId"), body.getString("result"));
    }
    long endedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    System.out.printf("kill -9 of a call owner: its calls ended elsewhere after %d ms%n", endedMs);
    assertEquals(Map.of("accepted", "completed", "ringing", "missed"), results);
    assertTrue(endedMs < 30_000, "ended after " + endedMs + " ms");
    List<JsonObject> callFrames = caller.received().stream().filter(f -> "call".equals(f.getString("t"))).toList();
    assertTrue(callFrames.stream().anyMatch(f -> "failover".equals(f.getString("reason"))), callFrames.toString());
    assertEquals(2, cluster.history(cluster.localHttpPort(), killedPair[0], killedConv).size());

    assertEquals(0, p(2).terminate(), p(2).output());
    JsonObject candidate = new JsonObject().put("candidate", "candidate:1 1 udp 1 10.0.0.2 5000 typ host");
    callStep(stayingCallee, stoppedConv, "on", "ice", candidate);
    JsonObject relayed;
    do {
      relayed = await(stayingCaller.next(Op.CALL));
    } while (!"ice".equals(relayed.getString("action")));
    assertEquals(candidate.getString("candidate"), relayed.getString("candidate"));
    callStep(stayingCaller, stoppedConv, "on", "hangup", new JsonObject());
    assertEquals("completed", await(stayingCallee.next(Op.MSG)).getJsonObject("body").getString("result"));
    List<JsonObject> history = cluster.history(cluster.localHttpPort(), stoppedPair[0], stoppedConv);
    assertEquals(1, history.size(), history.toString());
    for (ImClient client : List.of(caller, callee, stayingCaller, stayingCallee)) {
      client.close();
    }
  }

  private static void callStep(ImClient client, String conv, String callId, String action, JsonObject fields) {
    JsonObject reply = await(client.request(Op.CALL, fields.copy().put("conv", conv).put("callId", callId)
        .put("action", action)));
    assertEquals("ok", reply.getString("t"), action + " " + callId + ": " + reply.encode());
  }
}
