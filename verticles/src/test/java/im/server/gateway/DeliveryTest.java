package im.server.gateway;

import im.protocol.Op;
import im.protocol.client.ImClient;
import im.shared.Ids;
import im.server.session.OutboundFrame;
import im.shared.bus.Addresses;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The downlink: node-addressed deliver events, the re-send window, and the drain on shutdown. */
class DeliveryTest {

  private Vertx vertx;
  private GatewayHarness node;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    // Re-sends every 200 ms, twice at most.
    node = GatewayHarness.start(vertx, new JsonObject());
  }

  @AfterEach
  void stop() throws Exception {
    node.sessions.drain().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static String uid() {
    return "u" + Ids.newId();
  }

  private static JsonObject msg(String conv, long seq) {
    return new JsonObject().put("conv", conv).put("seq", seq).put("mid", Ids.newMid(1)).put("from", "someone")
        .put("device", "d").put("cmid", "c" + seq).put("kind", "text").put("body", new JsonObject().put("text", "m" + seq))
        .put("ts", 1L);
  }

  private void deliver(List<String> uids, Op op, JsonObject body, String skip) {
    vertx.eventBus().send(Addresses.nodeDeliver(node.nodeId),
        new DeliverEvent(List.of(DeliverItem.of(uids, op, body, skip))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void deliverReachesEveryDeviceButTheSkippedConnection(String transport) throws Exception {
    String alice = uid();
    String bob = uid();
    TestClient aliceSending = node.signedIn(transport, alice, "a1");
    TestClient aliceOther = node.signedIn(transport, alice, "a2");
    TestClient bobPhone = node.signedIn(transport, bob, "b1");
    String sendingConn = node.sessions.sessionsOf(alice).get(0).connId();

    deliver(List.of(alice, bob), Op.MSG, msg("g:1", 1), sendingConn);
    assertEquals(1, aliceOther.expect(Op.MSG).getLong("seq"));
    assertEquals("m1", bobPhone.expect(Op.MSG).getJsonObject("body").getString("text"));
    // The sender's own connection got nothing: its next frame is the answer to this ping.
    aliceSending.sync();
    assertEquals(2.0, node.metrics.registry().counter("im.messages.delivered").count());

    deliver(List.of(bob), Op.RECALLED, new JsonObject().put("conv", "g:1").put("seq", 1).put("by", alice), null);
    assertEquals(alice, bobPhone.expect(Op.RECALLED).getString("by"));
  }

  @Test
  void deliverCrossesTransportsOfOneUser() throws Exception {
    String uid = uid();
    TestClient browser = node.signedIn("ws", uid, "web");
    TestClient app = node.signedIn("tcp", uid, "app");
    deliver(List.of(uid), Op.EVENT, new JsonObject().put("kind", "friend_request").put("data", new JsonObject()), null);
    assertEquals("friend_request", browser.expect(Op.EVENT).getString("kind"));
    assertEquals("friend_request", app.expect(Op.EVENT).getString("kind"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void unconfirmedMsgIsResentABoundedNumberOfTimes(String transport) throws Exception {
    String uid = uid();
    TestClient client = node.signedIn(transport, uid, "d1");
    deliver(List.of(uid), Op.MSG, msg("g:1", 5), null);
    long first = System.nanoTime();
    assertEquals(5, client.expect(Op.MSG).getLong("seq"));
    assertEquals(5, client.expect(Op.MSG).getLong("seq"));
    assertTrue(System.nanoTime() - first >= TimeUnit.MILLISECONDS.toNanos(150), "re-sent before the interval");
    assertEquals(5, client.expect(Op.MSG).getLong("seq"));
    // maxResends is 2: after three intervals more, nothing else came.
    vertx.timer(700).await(5, TimeUnit.SECONDS);
    client.sync();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void recvStopsTheResendsOfThatConversationUpToItsSeq(String transport) throws Exception {
    String uid = uid();
    TestClient client = node.signedIn(transport, uid, "d1");
    deliver(List.of(uid), Op.MSG, msg("g:1", 1), null);
    deliver(List.of(uid), Op.MSG, msg("g:1", 2), null);
    deliver(List.of(uid), Op.MSG, msg("g:2", 1), null);
    for (int i = 0; i < 3; i++) {
      client.expect(Op.MSG);
    }
    client.send(Op.RECV, new JsonObject().put("conv", "g:1").put("seq", 2));
    client.send(Op.RECV, new JsonObject().put("conv", "g:2").put("seq", 1));
    client.sync();
    vertx.timer(600).await(5, TimeUnit.SECONDS);
    client.sync();
  }

  @Test
  void aFullWindowDropsItsOldestEntry() throws Exception {
    ResendWindow window = new ResendWindow(2, 100, 3);
    OutboundFrame frame = new OutboundFrame(Op.MSG, new JsonObject());
    window.track("g:1", 1, frame, 0);
    window.track("g:1", 2, frame, 0);
    window.track("g:1", 3, frame, 0);
    assertEquals(2, window.size());
    window.release("g:1", 2);
    assertEquals(1, window.size());
    window.release("g:2", 3);
    assertEquals(1, window.size());
    window.release("g:1", 3);
    assertTrue(window.isEmpty());
  }

  @Test
  void drainKicksEveryoneWithShutdownAndRefusesNewConnections() throws Exception {
    TestClient ws = node.signedIn("ws", uid(), "d1");
    TestClient tcp = node.signedIn("tcp", uid(), "d1");
    TestClient notSignedIn = node.connect("ws");
    notSignedIn.sendRaw(Op.PING, "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    notSignedIn.expectError("bad_request"); // its session exists on the server now
    node.sessions.drain().await(5, TimeUnit.SECONDS);
    assertEquals("shutdown", notSignedIn.expect(Op.KICKED).getString("reason"));
    notSignedIn.awaitClosed();
    assertEquals("shutdown", ws.expect(Op.KICKED).getString("reason"));
    assertEquals("shutdown", tcp.expect(Op.KICKED).getString("reason"));
    ws.awaitClosed();
    tcp.awaitClosed();
    assertEquals(0, node.sessions.count("ws") + node.sessions.count("tcp"));
    assertTrue(node.sessions.all().isEmpty());

    UpgradeRejectedException refused = assertThrows(UpgradeRejectedException.class,
        () -> ImClient.ws(vertx, "127.0.0.1", node.httpPort).await(10, TimeUnit.SECONDS));
    assertEquals(503, refused.getStatus());
    TestClient late = node.connect("tcp");
    late.awaitClosed();
    assertFalse(node.sessions.count("tcp") > 0);
  }
}
