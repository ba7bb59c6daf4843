package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conformance of the realtime frames (docs/protocol.md §3) over WebSocket and TCP. */
class RealtimeConformanceTest extends ConformanceBase {

  // ---------------------------------------------------------------- realtime: handshake and errors

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void authOkHasExactlyTheDocumentedFieldsAndEchoesTheRequestId(String transport) {
    TestNode.User alice = await(node.newUser());
    ImClient client = await("tcp".equals(transport) ? node.tcp() : node.ws());
    client.send(Op.AUTH, new JsonObject().put("id", "hello-1").put("token", alice.token()).put("device", "phone").put("platform", "web"));
    JsonObject ok = await(client.next(Op.AUTH_OK));
    assertFields(ok, "id", "uid", "device", "node", "serverTime", "heartbeatMs");
    assertEquals("hello-1", ok.getString("id"));
    assertEquals(alice.uid(), ok.getString("uid"));
    assertEquals("phone", ok.getString("device"));
    assertEquals(node.config().nodeId(), ok.getString("node"));
    assertTrue(Math.abs(System.currentTimeMillis() - ok.getLong("serverTime")) < 60_000, "serverTime is epoch ms");
    assertEquals(node.config().realtime().heartbeatMs(), ok.getLong("heartbeatMs"));

    ImClient plain = await("tcp".equals(transport) ? node.tcp() : node.ws());
    plain.send(Op.AUTH, new JsonObject().put("token", alice.token()).put("device", "laptop"));
    assertFields(await(plain.next(Op.AUTH_OK)), "uid", "device", "node", "serverTime", "heartbeatMs");
    client.close();
    plain.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void aRefusedAuthEchoesItsIdAsUnauthorizedAndCloses(String transport) {
    ImClient client = await("tcp".equals(transport) ? node.tcp() : node.ws());
    client.send(Op.AUTH, new JsonObject().put("id", 9).put("token", "not-a-token").put("device", "d"));
    JsonObject error = await(client.next(Op.ERROR));
    assertFields(error, "id", "code", "message");
    assertEquals(9, error.getInteger("id"));
    assertEquals("unauthorized", error.getString("code"));
    await(client.closed());
    if ("ws".equals(transport)) {
      assertEquals(1008, client.closeStatus());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void anErrorHasCodeAndMessageAndEchoesTheIdWithItsJsonType(String transport) {
    TestNode.User alice = await(node.newUser());
    ImClient client = await(node.connect(transport, alice, "d1"));
    client.send(Op.SEND, new JsonObject().put("id", 17).put("cmid", "x").put("to", "someone").put("kind", "text").put("body", new JsonObject()));
    JsonObject error = await(client.next(Op.ERROR));
    assertFields(error, "id", "code", "message");
    assertEquals(17, error.getValue("id"));
    assertEquals("bad_request", error.getString("code"));
    assertFalse(error.getString("message").isEmpty());
    JsonObject pong = await(client.request(Op.PING, new JsonObject()));
    assertFields(pong, "id");
    client.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void aFirstFrameOtherThanAuthIsUnauthorizedAndCloses(String transport) {
    ImClient client = await("tcp".equals(transport) ? node.tcp() : node.ws());
    client.send(Op.SEND, text("c", "to", "x", "too early").put("id", "early"));
    JsonObject error = await(client.next(Op.ERROR));
    assertEquals("unauthorized", error.getString("code"));
    assertFields(error, "id", "code", "message");
    assertEquals("early", error.getString("id"));
    await(client.closed());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void noAuthWithinTheTimeoutIsUnauthorizedAndCloses(String transport) {
    ImClient client = await("tcp".equals(transport) ? node.tcp() : node.ws());
    long started = System.nanoTime();
    assertEquals("unauthorized", await(client.next(Op.ERROR)).getString("code"));
    await(client.closed());
    assertTrue((System.nanoTime() - started) / 1_000_000 >= AUTH_TIMEOUT_MS - 200, "closed only at the timeout");
  }

  @Test
  void tcpWrongVersionIsBadRequestAndTheConnectionStaysOpen() {
    TestNode.User alice = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "d1"));
    byte[] body = "{\"id\":\"v2\"}".getBytes(StandardCharsets.UTF_8);
    client.sendRaw(tcpFrame(8 + body.length, Op.PING.code(), 2, body));
    assertEquals("bad_request", await(client.next(Op.ERROR)).getString("code"));
    assertEquals("pong", await(client.request(Op.PING, new JsonObject())).getString("t"));
    client.close();
  }

  @Test
  void tcpLengthBelowEightIsBadRequestAndCloses() {
    TestNode.User alice = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "d1"));
    client.sendRaw(tcpFrame(7, Op.PING.code(), 1, new byte[0]));
    assertEquals("bad_request", await(client.next(Op.ERROR)).getString("code"));
    await(client.closed());
  }

  @Test
  void tcpFrameOverTheMaximumIsTooLargeAndCloses() {
    TestNode.User alice = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "d1"));
    client.sendRaw(tcpFrame(node.config().realtime().maxFrameBytes() + 1L, Op.PING.code(), 1, new byte[0]));
    assertEquals("too_large", await(client.next(Op.ERROR)).getString("code"));
    await(client.closed());
  }

  // ---------------------------------------------------------------- realtime: frame shapes

  @Test
  void ackAndMsgCarryExactlyTheDocumentedFields() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "a1"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b1"));
    ImClient bobWs = await(node.connect("ws", bob, "b2"));
    JsonObject ack = await(aliceWs.request(Op.SEND, text("c-" + Ids.newId(), "to", bob.uid(), "shape")));
    assertFields(ack, "id", "cmid", "conv", "seq", "mid", "ts");
    for (ImClient receiver : List.of(bobTcp, bobWs)) {
      JsonObject msg = await(receiver.next(Op.MSG));
      assertFields(msg, "conv", "seq", "mid", "from", "device", "cmid", "kind", "body", "ts");
      assertEquals(ack.getLong("seq"), msg.getLong("seq"));
    }
    // Without an id the ack has none.
    aliceWs.send(Op.SEND, text("c-" + Ids.newId(), "conv", ack.getString("conv"), "no id"));
    assertFields(await(aliceWs.next(Op.ACK)), "cmid", "conv", "seq", "mid", "ts");
    List.of(aliceWs, bobTcp, bobWs).forEach(ImClient::close);
  }

  @Test
  void readRecalledAndTypingFramesCarryExactlyTheDocumentedFields() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alice1 = await(node.connect("tcp", alice, "a1"));
    ImClient bob1 = await(node.connect("ws", bob, "b1"));
    JsonObject ack = await(alice1.request(Op.SEND, text("c-" + Ids.newId(), "to", bob.uid(), "soon gone")));
    String conv = ack.getString("conv");
    await(bob1.next(Op.MSG));

    bob1.send(Op.READ, new JsonObject().put("conv", conv).put("seq", ack.getLong("seq")));
    JsonObject read = await(alice1.next(Op.READ));
    assertFields(read, "conv", "uid", "seq");
    assertEquals(bob.uid(), read.getString("uid"));

    bob1.send(Op.TYPING, new JsonObject().put("conv", conv));
    JsonObject typing = await(alice1.next(Op.TYPING));
    assertFields(typing, "conv", "uid");
    assertEquals(bob.uid(), typing.getString("uid"));

    JsonObject ok = await(alice1.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", ack.getLong("seq"))));
    assertEquals("ok", ok.getString("t"));
    assertFields(ok, "id");
    JsonObject recalled = await(bob1.next(Op.RECALLED));
    assertFields(recalled, "conv", "seq", "by");
    assertEquals(alice.uid(), recalled.getString("by"));
    assertEquals(ack.getLong("seq"), recalled.getLong("seq"));
    alice1.close();
    bob1.close();
  }

  @Test
  void presenceEventAndKickedFramesCarryExactlyTheDocumentedFields() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "a1"));
    String requestId = await(node.http().post("/api/v1/friends/requests", bob.token(), new JsonObject().put("to", alice.uid()))).json().getString("requestId");
    JsonObject event = await(aliceWs.next(Op.EVENT));
    assertFields(event, "kind", "data");
    assertEquals("friend_request", event.getString("kind"));
    assertInstanceOf(JsonObject.class, event.getValue("data"));
    assertEquals(200, await(node.http().post("/api/v1/friends/requests/" + requestId + "/accept", alice.token(), null)).status());

    ImClient bobTcp = await(node.connect("tcp", bob, "b1"));
    JsonObject presence = await(aliceWs.next(Op.PRESENCE));
    assertFields(presence, "uid", "status", "lastSeen");
    assertEquals(bob.uid(), presence.getString("uid"));
    assertEquals("online", presence.getString("status"));

    ImClient bobAgain = await(node.connect("ws", bob, "b1"));
    JsonObject kicked = await(bobTcp.next(Op.KICKED));
    assertFields(kicked, "reason");
    assertEquals("replaced", kicked.getString("reason"));
    await(bobTcp.closed());
    aliceWs.close();
    bobAgain.close();
  }

  @Test
  void aRateLimitedSendSucceedsLaterWithTheSameCmidAndIsStoredOnce() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "a1"));
    String limitedCmid = null;
    for (int i = 0; i < SEND_BURST + 3 && limitedCmid == null; i++) {
      String cmid = "burst-" + i;
      JsonObject reply = await(client.request(Op.SEND, text(cmid, "to", bob.uid(), "n" + i)));
      if ("error".equals(reply.getString("t"))) {
        assertEquals("rate_limited", reply.getString("code"));
        limitedCmid = cmid;
      }
    }
    assertNotNull(limitedCmid, "a burst past the configured limit is refused");
    JsonObject retry = retryUntilAcked(client, text(limitedCmid, "to", bob.uid(), "again"));
    assertEquals("ack", retry.getString("t"));
    JsonArray history = await(node.http().get("/api/v1/conversations/" + retry.getString("conv") + "/messages?limit=100", bob.token()))
        .json().getJsonArray("messages");
    String cmid = limitedCmid;
    assertEquals(1, history.stream().map(JsonObject.class::cast).filter(m -> cmid.equals(m.getString("cmid"))).count());
    client.close();
  }

  @Test
  void presenceChangesShareTheSendBudget() {
    TestNode.User alice = await(node.newUser());
    ImClient client = await(node.connect("ws", alice, "a1"));
    JsonObject refused = null;
    for (int i = 0; i < SEND_BURST + 3 && refused == null; i++) {
      JsonObject reply = await(client.request(Op.PRESENCE, new JsonObject().put("status", i % 2 == 0 ? "away" : "busy")));
      if ("error".equals(reply.getString("t"))) {
        refused = reply;
      }
    }
    assertNotNull(refused, "a burst of presence changes past the configured limit is refused");
    assertEquals("rate_limited", refused.getString("code"));
    client.close();
  }

  @Test
  void joinsAndReadsShareTheSendBudget() {
    TestNode.User alice = await(node.newUser());
    for (Op op : new Op[] {Op.JOIN, Op.READ}) {
      ImClient client = await(node.connect("ws", alice, "budget-" + op.name()));
      JsonObject refused = null;
      for (int i = 0; i < SEND_BURST + 3 && refused == null; i++) {
        // The rooms and conversations need not exist: the budget is spent before anybody is asked.
        JsonObject body = op == Op.JOIN
            ? new JsonObject().put("conv", "r:nowhere-" + i)
            : new JsonObject().put("conv", "g:nowhere-" + i).put("seq", 1);
        JsonObject reply = await(client.request(op, body));
        if ("rate_limited".equals(reply.getString("code"))) {
          refused = reply;
        }
      }
      assertNotNull(refused, op + " past the send budget is refused");
      client.close();
    }
  }

  /** Retries every 200 ms, as a client would, until the bucket has refilled. */
  private static JsonObject retryUntilAcked(ImClient client, JsonObject send) {
    for (int attempt = 0; attempt < 20; attempt++) {
      JsonObject reply = await(client.request(Op.SEND, send.copy()));
      if (!"error".equals(reply.getString("t"))) {
        return reply;
      }
      assertEquals("rate_limited", reply.getString("code"));
      await(node.clientVertx().timer(200));
    }
    throw new AssertionError("still rate limited after 4 s");
  }

  @Test
  void aRecallPastTheWindowIsRecallExpiredAndAnotherUsersMessageForbidden() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "a1"));
    ImClient bobWs = await(node.connect("ws", bob, "b1"));
    JsonObject ack = await(aliceWs.request(Op.SEND, text("old", "to", bob.uid(), "old news")));
    JsonObject recall = new JsonObject().put("conv", ack.getString("conv")).put("seq", ack.getLong("seq"));
    JsonObject notYours = await(bobWs.request(Op.RECALL, recall.copy()));
    assertEquals("forbidden", notYours.getString("code"));
    // Waits out the window, which is the point of the test; nothing else is waited for this way.
    await(node.clientVertx().timer(RECALL_WINDOW_MS + 100));
    JsonObject late = await(aliceWs.request(Op.RECALL, recall.copy()));
    assertEquals("error", late.getString("t"));
    assertEquals("recall_expired", late.getString("code"));
    aliceWs.close();
    bobWs.close();
  }

  @Test
  void sendingMovesNeitherTheSendersReadSeqNorTheirUnread() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "a1"));
    JsonObject ack = await(client.request(Op.SEND, text("mine", "to", bob.uid(), "mine")));
    await(client.request(Op.SEND, text("mine2", "to", bob.uid(), "mine too")));
    JsonObject mine = await(node.http().get("/api/v1/conversations", alice.token())).json().getJsonArray("conversations").getJsonObject(0);
    assertEquals(ack.getString("conv"), mine.getString("conv"));
    assertEquals(0L, mine.getLong("readSeq"));
    assertEquals(0L, mine.getLong("unread"), "unread counts only others' messages");
    assertEquals("p2p", mine.getString("type"));
    client.close();
  }

  @Test
  void othersConversationsAreNotMemberAndAReadPastTheEndStopsAtMaxSeq() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User eve = await(node.newUser());
    ImClient client = await(node.connect("ws", bob, "b1"));
    JsonObject ack = await(client.request(Op.SEND, text("x", "to", alice.uid(), "private")));
    String conv = ack.getString("conv");
    // Someone else's one-to-one conversation reads as absent, so its existence does not leak.
    assertHttpError(await(node.http().get("/api/v1/conversations/" + conv + "/messages", eve.token())), 404, "not_found");
    assertEquals("not_member", await(client.request(Op.SEND, text("y", "conv", Conv.p2p(alice.uid(), eve.uid()), "no"))).getString("code"));
    assertEquals("not_found", await(client.request(Op.SEND, text("z", "to", "no-such-user", "no"))).getString("code"));

    assertNoContent(await(node.http().post("/api/v1/conversations/" + conv + "/read", alice.token(), new JsonObject().put("seq", ack.getLong("seq") + 1000))));
    JsonObject listed = await(node.http().get("/api/v1/conversations", alice.token())).json().getJsonArray("conversations").getJsonObject(0);
    assertEquals(ack.getLong("seq"), listed.getLong("readSeq"), "readSeq never passes maxSeq");
    await(client.request(Op.SEND, text("w", "to", alice.uid(), "after the read")));
    assertEquals(1L, await(node.http().get("/api/v1/conversations", alice.token())).json().getJsonArray("conversations").getJsonObject(0).getLong("unread"));
    client.close();
  }
}
