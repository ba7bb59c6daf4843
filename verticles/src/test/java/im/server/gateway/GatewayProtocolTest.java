package im.server.gateway;

import im.protocol.Conv;
import im.protocol.Op;
import im.server.session.Connection;
import im.shared.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The realtime protocol of docs/protocol.md §3, the same over both transports: one pipeline behind two adapters. */
class GatewayProtocolTest {

  private Vertx vertx;
  private GatewayHarness node;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject());
  }

  @AfterEach
  void stop() throws Exception {
    // Vert.x does not close WebSockets on shutdown: the drain does, as it will on SIGTERM.
    node.sessions.drain().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static String uid() {
    return "u" + Ids.newId();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void authOkCarriesTheSessionAndTheRouteIsWritten(String transport) throws Exception {
    String uid = uid();
    long before = System.currentTimeMillis();
    TestClient client = node.connect(transport);
    JsonObject ok = client.auth(uid, "phone-1");
    assertEquals(uid, ok.getString("uid"));
    assertEquals("phone-1", ok.getString("device"));
    assertEquals(node.nodeId, ok.getString("node"));
    assertTrue(ok.getLong("serverTime") >= before && ok.getLong("serverTime") <= System.currentTimeMillis());
    assertEquals(node.config.realtime().heartbeatMs(), ok.getLong("heartbeatMs"));
    assertEquals(Set.of("phone-1"), node.routes.devices(uid, node.nodeId));
    assertEquals(1, node.sessions.count(transport));
    assertEquals(1, node.metrics.connections(transport));

    Connection session = node.sessions.sessionsOf(uid).get(0);
    client.close();
    session.closed().await(5, TimeUnit.SECONDS);
    assertEquals(Set.of(), node.routes.devices(uid, node.nodeId));
    assertEquals(0, node.sessions.count(transport));
    assertEquals(List.of(), node.sessions.sessionsOf(uid));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void anyOpBeforeAuthIsUnauthorizedAndCloses(String transport) throws Exception {
    TestClient client = node.connect(transport);
    client.send(Op.PING, new JsonObject().put("id", 1));
    client.expectError("unauthorized");
    client.awaitClosed();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void badTokenIsUnauthorizedAndCloses(String transport) throws Exception {
    TestClient client = node.connect(transport);
    client.send(Op.AUTH, new JsonObject().put("token", "forged").put("device", "d1"));
    client.expectError("unauthorized");
    client.awaitClosed();
    assertEquals(0, node.sessions.count(transport));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void malformedAuthIsBadRequestAndKeepsWaitingForAuth(String transport) throws Exception {
    TestClient client = node.connect(transport);
    client.send(Op.AUTH, new JsonObject().put("token", "good-x").put("device", "bad device!"));
    client.expectError("bad_request");
    client.auth(uid(), "d1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void noAuthInTimeCloses(String transport) throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject().put("realtime", new JsonObject().put("authTimeoutMs", 300)));
    TestClient client = node.connect(transport);
    long started = System.nanoTime();
    client.expectError("unauthorized");
    client.awaitClosed();
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(250), "closed before the timeout");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void framesPipelinedBehindAuthAreAnsweredAfterAuthOk(String transport) throws Exception {
    TestClient client = node.connect(transport);
    client.send(Op.AUTH, new JsonObject().put("token", "good-" + uid()).put("device", "d1"));
    client.send(Op.PING, new JsonObject().put("id", "right-behind"));
    client.expect(Op.AUTH_OK);
    assertEquals("right-behind", client.expect(Op.PONG).getString("id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void pingIsAnsweredWithItsId(String transport) throws Exception {
    TestClient client = node.signedIn(transport, uid(), "d1");
    client.send(Op.PING, new JsonObject().put("id", "abc"));
    assertEquals("abc", client.expect(Op.PONG).getString("id"));
    client.send(Op.PING, new JsonObject().put("id", 42));
    assertEquals(42, client.expect(Op.PONG).getInteger("id"));
    client.send(Op.PING, new JsonObject());
    assertFalse(client.expect(Op.PONG).containsKey("id"));
    client.send(Op.PING, new JsonObject().put("id", new JsonObject()));
    client.expectError("bad_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void badJsonIsBadRequestAndKeepsTheConnection(String transport) throws Exception {
    TestClient client = node.signedIn(transport, uid(), "d1");
    client.sendRaw(Op.PING, "{\"t\":\"ping\", nope".getBytes(StandardCharsets.UTF_8));
    client.expectError("bad_request");
    client.sendRaw(Op.PING, "[1,2]".getBytes(StandardCharsets.UTF_8));
    client.expectError("bad_request");
    client.sync();
    assertFalse(client.isClosed());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void serverOnlyAndUnbuiltOpsAreBadRequestAndKeepTheConnection(String transport) throws Exception {
    TestClient client = node.signedIn(transport, uid(), "d1");
    client.send(Op.ACK, new JsonObject().put("id", 1));
    assertEquals(1, client.expectError("bad_request").getInteger("id"));
    client.send(Op.JOIN, new JsonObject().put("conv", "g:x"));
    assertTrue(client.expectError("bad_request").getString("message").contains("chat rooms"));
    client.send(Op.AUTH, new JsonObject().put("token", "good-x").put("device", "d2"));
    client.expectError("bad_request");
    client.sync();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void sendIsAckedWithTheRequestIdAndCarriesTheSender(String transport) throws Exception {
    String uid = uid();
    String peer = uid();
    TestClient client = node.signedIn(transport, uid, "d1");
    client.send(Op.SEND, new JsonObject().put("id", 7).put("cmid", "c-1").put("to", peer)
        .put("kind", "text").put("body", new JsonObject().put("text", "hello")));
    JsonObject ack = client.expect(Op.ACK);
    assertEquals(7, ack.getInteger("id"));
    assertEquals("c-1", ack.getString("cmid"));
    assertEquals(Conv.p2p(uid, peer), ack.getString("conv"));
    assertNotNull(ack.getLong("seq"));
    assertNotNull(ack.getString("mid"));
    assertNotNull(ack.getLong("ts"));

    JsonObject command = node.sends.poll();
    assertEquals(uid, command.getString("from"));
    assertEquals("d1", command.getString("device"));
    assertEquals(node.sessions.sessionsOf(uid).get(0).connId(), command.getString("conn"));
    assertEquals("hello", command.getJsonObject("body").getString("text"));
    assertEquals(1, node.metrics.registry().timer("im.ack.latency").count());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void invalidSendsAreRefusedWithTheirIdAndKeepTheConnection(String transport) throws Exception {
    String uid = uid();
    TestClient client = node.signedIn(transport, uid, "d1");
    JsonObject text = new JsonObject().put("text", "hi");
    List<JsonObject> invalid = List.of(
        new JsonObject().put("to", "peer").put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("to", "peer").put("conv", "g:1").put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("to", uid).put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("conv", "x:nothing").put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("conv", "p:b:a").put("kind", "text").put("body", text),
        new JsonObject().put("cmid", "c").put("conv", "g:1").put("kind", "text").put("body", new JsonObject().put("text", "")),
        new JsonObject().put("cmid", "c").put("conv", "g:1").put("kind", "text").put("body", "hi"),
        new JsonObject().put("cmid", "c").put("conv", "g:1").put("kind", "system").put("body", new JsonObject().put("event", "x")),
        new JsonObject().put("cmid", "x".repeat(65)).put("conv", "g:1").put("kind", "text").put("body", text));
    for (int i = 0; i < invalid.size(); i++) {
      client.send(Op.SEND, invalid.get(i).put("id", "req-" + i));
      assertEquals("req-" + i, client.expectError("bad_request").getString("id"));
    }
    assertTrue(node.sends.isEmpty());
    client.sync();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void ownerRefusalsReachTheClient(String transport) throws Exception {
    TestClient client = node.signedIn(transport, uid(), "d1");
    client.send(Op.SEND, new JsonObject().put("id", "s").put("cmid", "c").put("to", GatewayHarness.BLOCKED_PEER)
        .put("kind", "text").put("body", new JsonObject().put("text", "hi")));
    assertEquals("s", client.expectError("blocked").getString("id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void readAnswersOnlyWhenAskedOrRefused(String transport) throws Exception {
    String uid = uid();
    TestClient client = node.signedIn(transport, uid, "d1");
    client.send(Op.READ, new JsonObject().put("conv", "g:abc").put("seq", 5));
    client.sync();
    assertEquals(uid + " g:abc 5", node.reads.poll());
    client.send(Op.READ, new JsonObject().put("id", "r").put("conv", "g:abc").put("seq", 6));
    assertEquals("r", client.expect(Op.OK).getString("id"));
    client.send(Op.READ, new JsonObject().put("id", "f").put("conv", GatewayHarness.FOREIGN_CONV).put("seq", 1));
    assertEquals("f", client.expectError("not_member").getString("id"));
    client.send(Op.READ, new JsonObject().put("conv", "g:abc").put("seq", "five"));
    client.expectError("bad_request");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void recallAnswersOkOrTheOwnersError(String transport) throws Exception {
    TestClient client = node.signedIn(transport, uid(), "d1");
    client.send(Op.RECALL, new JsonObject().put("id", 1).put("conv", "g:abc").put("seq", 3));
    assertEquals(1, client.expect(Op.OK).getInteger("id"));
    client.send(Op.RECALL, new JsonObject().put("id", 2).put("conv", "g:abc").put("seq", 404));
    assertEquals(2, client.expectError("not_found").getInteger("id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void sendsPastTheRateAreRateLimited(String transport) throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject().put("realtime",
        new JsonObject().put("sendsPerSecond", 1).put("sendBurst", 3)));
    TestClient client = node.signedIn(transport, uid(), "d1");
    for (int i = 0; i < 4; i++) {
      client.send(Op.SEND, new JsonObject().put("id", i).put("cmid", "c" + i).put("conv", "g:1")
          .put("kind", "text").put("body", new JsonObject().put("text", "hi")));
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(i, client.expect(Op.ACK).getInteger("id"));
    }
    assertEquals(3, client.expectError("rate_limited").getInteger("id"));
    assertEquals(3, node.sends.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void sameDeviceReplacesTheOldConnection(String transport) throws Exception {
    String uid = uid();
    TestClient first = node.signedIn(transport, uid, "d1");
    Connection firstSession = node.sessions.sessionsOf(uid).get(0);
    TestClient second = node.signedIn(transport, uid, "d1");
    assertEquals("replaced", first.expect(Op.KICKED).getString("reason"));
    first.awaitClosed();
    firstSession.closed().await(5, TimeUnit.SECONDS);
    second.sync();
    // The old connection's close must not take the new connection's route with it.
    assertEquals(Set.of("d1"), node.routes.devices(uid, node.nodeId));
    assertEquals(1, node.sessions.sessionsOf(uid).size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void pastTheDeviceLimitTheOldestIsKicked(String transport) throws Exception {
    String uid = uid();
    TestClient oldest = node.signedIn(transport, uid, "d1");
    Connection oldestSession = node.sessions.sessionsOf(uid).get(0);
    TestClient middle = node.signedIn(transport, uid, "d2");
    TestClient newest = node.signedIn(transport, uid, "d3");
    assertEquals("device_limit", oldest.expect(Op.KICKED).getString("reason"));
    oldest.awaitClosed();
    middle.sync();
    newest.sync();
    Connection[] left = node.sessions.sessionsOf(uid).toArray(new Connection[0]);
    assertEquals(2, left.length);
    assertEquals("d2", left[0].device());
    assertEquals("d3", left[1].device());
    oldestSession.closed().await(5, TimeUnit.SECONDS);
    assertEquals(Set.of("d2", "d3"), node.routes.devices(uid, node.nodeId));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void kickUserClosesEveryDevice(String transport) throws Exception {
    String uid = uid();
    TestClient a = node.signedIn(transport, uid, "d1");
    TestClient b = node.signedIn(transport, uid, "d2");
    assertEquals(2, node.sessions.kickUser(uid, "admin"));
    assertEquals("admin", a.expect(Op.KICKED).getString("reason"));
    assertEquals("admin", b.expect(Op.KICKED).getString("reason"));
    a.awaitClosed();
    b.awaitClosed();
  }
}
