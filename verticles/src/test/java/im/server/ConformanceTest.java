package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Black-box conformance with the letter of the protocol (docs/protocol.md), as a client author who has read only that page would
 * check it: exact field sets of every frame and reply, statuses and error bodies. Behaviour already pinned by
 * the other end-to-end tests is not repeated here.
 */
class ConformanceTest {

  private static final long AUTH_TIMEOUT_MS = 1500;
  private static final int SEND_BURST = 5;
  private static final int MEDIA_MAX_BYTES = 1024;
  private static final long RECALL_WINDOW_MS = 1000;

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(new JsonObject()
        .put("realtime", new JsonObject().put("authTimeoutMs", AUTH_TIMEOUT_MS).put("sendsPerSecond", 2).put("sendBurst", SEND_BURST))
        .put("presence", new JsonObject().put("minIntervalMs", 10))
        .put("messages", new JsonObject().put("recallWindowMs", RECALL_WINDOW_MS))
        .put("media", new JsonObject().put("maxBytes", MEDIA_MAX_BYTES)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  // ---------------------------------------------------------------- helpers

  /** The field names of a frame, without the op name {@code "t"}. */
  private static Set<String> fields(JsonObject frame) {
    Set<String> names = new HashSet<>(frame.fieldNames());
    names.remove("t");
    return names;
  }

  private static void assertFields(JsonObject frame, String... expected) {
    assertEquals(Set.of(expected), fields(frame), "fields of " + frame.encode());
  }

  private static JsonObject text(String cmid, String field, String target, String text) {
    return new JsonObject().put("cmid", cmid).put(field, target).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  /** Asserts a docs/protocol.md §4 error reply: this status, and a body of exactly {@code {"error":{"code","message"}}}. */
  private static void assertHttpError(HttpResult result, int status, String code) {
    assertEquals(status, result.status(), "status of " + result.raw());
    assertTrue(result.contentType() != null && result.contentType().startsWith("application/json"), "content type " + result.contentType());
    JsonObject body = result.json();
    assertEquals(Set.of("error"), body.fieldNames(), body.encode());
    JsonObject error = body.getJsonObject("error");
    assertEquals(Set.of("code", "message"), error.fieldNames(), body.encode());
    assertEquals(code, error.getString("code"));
    assertInstanceOf(String.class, error.getValue("message"));
  }

  private static void assertNoContent(HttpResult result) {
    assertEquals(204, result.status(), "status of " + result.raw());
    assertTrue(result.raw() == null || result.raw().length() == 0, "204 has no body");
  }

  private static Buffer tcpFrame(long length, int op, int version, byte[] body) {
    Buffer frame = Buffer.buffer().appendUnsignedInt(length).appendUnsignedShort(op).appendUnsignedByte((short) version).appendByte((byte) 0);
    return frame.appendBytes(body);
  }

  private static void befriend(TestNode.User a, TestNode.User b) {
    String requestId = await(node.http().post("/api/v1/friends/requests", a.token(), new JsonObject().put("to", b.uid()))).json().getString("requestId");
    assertEquals(200, await(node.http().post("/api/v1/friends/requests/" + requestId + "/accept", b.token(), null)).status());
  }

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

  // ---------------------------------------------------------------- HTTP: accounts and errors

  @Test
  void registerLoginAndProfileRepliesHaveExactlyTheDocumentedFields() {
    String username = "c" + Ids.newId().replace("-", "").substring(0, 12);
    HttpResult registered = await(node.http().post("/api/v1/auth/register", null,
        new JsonObject().put("username", username).put("password", "password-123")));
    assertEquals(201, registered.status());
    assertEquals(Set.of("uid", "username"), registered.json().fieldNames());
    assertHttpError(await(node.http().post("/api/v1/auth/register", null,
        new JsonObject().put("username", username.toUpperCase()).put("password", "password-123"))), 409, "conflict");

    HttpResult login = await(node.http().post("/api/v1/auth/login", null,
        new JsonObject().put("username", username).put("password", "password-123")));
    assertEquals(200, login.status());
    assertEquals(Set.of("token", "uid", "expiresAt"), login.json().fieldNames());
    assertTrue(login.json().getLong("expiresAt") > System.currentTimeMillis(), "expiresAt is epoch ms in the future");
    assertHttpError(await(node.http().post("/api/v1/auth/login", null,
        new JsonObject().put("username", username).put("password", "wrong-password"))), 401, "unauthorized");

    String token = login.json().getString("token");
    HttpResult me = await(node.http().get("/api/v1/users/me", token));
    assertEquals(200, me.status());
    assertEquals(Set.of("uid", "username", "displayName", "avatarUrl"), me.json().fieldNames());
    assertNoContent(await(node.http().patch("/api/v1/users/me", token, new JsonObject().put("displayName", "Carol"))));
    assertEquals("Carol", await(node.http().get("/api/v1/users?username=" + username, token)).json().getString("displayName"));
    assertHttpError(await(node.http().get("/api/v1/users?username=nobody_" + Ids.newId().substring(0, 8), token)), 404, "not_found");
    assertHttpError(await(node.http().get("/api/v1/users/no-such-uid", token)), 404, "not_found");
  }

  @Test
  void everyProtectedRouteWithoutAValidTokenIs401InTheErrorShape() {
    for (String path : List.of("/api/v1/users/me", "/api/v1/conversations", "/api/v1/friends", "/api/v1/blocks",
        "/api/v1/friends/requests", "/media/" + "0".repeat(64))) {
      assertHttpError(await(node.http().get(path, null)), 401, "unauthorized");
      assertHttpError(await(node.http().get(path, "garbage.token.value")), 401, "unauthorized");
    }
    assertHttpError(await(node.http().post("/api/v1/sync", null, new JsonObject().put("convs", new JsonArray()))), 401, "unauthorized");
  }

  @Test
  void badInputIs400AndUnknownPathsAre404InTheErrorShape() {
    TestNode.User alice = await(node.newUser());
    assertHttpError(await(node.http().postBytes("/api/v1/auth/login", null, Buffer.buffer("{nope"), "application/json")), 400, "bad_request");
    assertHttpError(await(node.http().post("/api/v1/sync", alice.token(), new JsonObject().put("convs", "x"))), 400, "bad_request");
    assertHttpError(await(node.http().get("/api/v1/no/such/thing", alice.token())), 404, "not_found");
    // The protocol is silent on a malformed conv id in a path; the server treats it as a conversation that does not exist.
    assertHttpError(await(node.http().get("/api/v1/conversations/not-a-conv/messages", alice.token())), 404, "not_found");
  }

  @Test
  void membershipAndBlocksAre403WithTheirCodes() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User eve = await(node.newUser());
    HttpResult created = await(node.http().post("/api/v1/groups", alice.token(),
        new JsonObject().put("name", "g").put("members", new JsonArray().add(bob.uid()))));
    assertEquals(201, created.status());
    assertEquals(Set.of("groupId", "conv"), created.json().fieldNames());
    String groupId = created.json().getString("groupId");
    assertEquals(Conv.group(groupId), created.json().getString("conv"));
    assertHttpError(await(node.http().get("/api/v1/groups/" + groupId, eve.token())), 403, "not_member");
    assertHttpError(await(node.http().get("/api/v1/conversations/" + Conv.group(groupId) + "/messages", eve.token())), 403, "not_member");
    assertHttpError(await(node.http().patch("/api/v1/groups/" + groupId, bob.token(), new JsonObject().put("name", "x"))), 403, "forbidden");
    assertNoContent(await(node.http().patch("/api/v1/groups/" + groupId, alice.token(), new JsonObject().put("name", "renamed"))));
    assertHttpError(await(node.http().post("/api/v1/friends/requests", alice.token(), new JsonObject().put("to", "nobody"))), 404, "not_found");
    assertNoContent(await(node.http().put("/api/v1/blocks/" + eve.uid(), alice.token(), null)));
    assertHttpError(await(node.http().post("/api/v1/friends/requests", eve.token(), new JsonObject().put("to", alice.uid()))), 403, "blocked");
  }

  @Test
  void mutationsWithoutAReplyBodyAre204() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    befriend(alice, bob);
    assertNoContent(await(node.http().delete("/api/v1/friends/" + bob.uid(), alice.token())));
    String requestId = await(node.http().post("/api/v1/friends/requests", carol.token(), new JsonObject().put("to", alice.uid()))).json().getString("requestId");
    assertNoContent(await(node.http().post("/api/v1/friends/requests/" + requestId + "/reject", alice.token(), null)));
    assertNoContent(await(node.http().put("/api/v1/blocks/" + carol.uid(), alice.token(), null)));
    assertEquals(new JsonArray().add(carol.uid()), await(node.http().get("/api/v1/blocks", alice.token())).json().getJsonArray("uids"));
    assertNoContent(await(node.http().delete("/api/v1/blocks/" + carol.uid(), alice.token())));

    ImClient client = await(node.connect("ws", alice, "a1"));
    JsonObject ack = await(client.request(Op.SEND, text("c-" + Ids.newId(), "to", bob.uid(), "hi")));
    assertNoContent(await(node.http().post("/api/v1/conversations/" + ack.getString("conv") + "/read", bob.token(),
        new JsonObject().put("seq", ack.getLong("seq")))));
    client.close();
  }

  @Test
  void friendsGroupsAndRoomsRepliesHaveTheDocumentedFields() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    HttpResult asked = await(node.http().post("/api/v1/friends/requests", bob.token(), new JsonObject().put("to", alice.uid()).put("message", "hi")));
    assertEquals(201, asked.status());
    assertEquals(Set.of("requestId"), asked.json().fieldNames());
    JsonObject request = await(node.http().get("/api/v1/friends/requests", alice.token())).json().getJsonArray("requests").getJsonObject(0);
    assertEquals(Set.of("requestId", "from", "message", "createdAt"), request.fieldNames());
    assertEquals(bob.uid(), request.getString("from"));
    HttpResult accepted = await(node.http().post("/api/v1/friends/requests/" + request.getString("requestId") + "/accept", alice.token(), null));
    assertEquals(200, accepted.status());
    assertEquals(new JsonObject().put("conv", Conv.p2p(alice.uid(), bob.uid())), accepted.json());
    JsonObject friend = await(node.http().get("/api/v1/friends", alice.token())).json().getJsonArray("friends").getJsonObject(0);
    assertTrue(friend.fieldNames().containsAll(Set.of("uid", "username", "displayName", "status")), friend.encode());
    assertEquals(bob.uid(), friend.getString("uid"));

    String groupId = await(node.http().post("/api/v1/groups", alice.token(),
        new JsonObject().put("name", "g").put("members", new JsonArray().add(bob.uid())))).json().getString("groupId");
    JsonObject group = await(node.http().get("/api/v1/groups/" + groupId, bob.token())).json();
    assertEquals(Set.of("groupId", "conv", "name", "owner", "members"), group.fieldNames());
    assertEquals(alice.uid(), group.getString("owner"));
    assertEquals(Set.of("uid", "role"), group.getJsonArray("members").getJsonObject(0).fieldNames());
    assertEquals(Set.of(alice.uid() + ":owner", bob.uid() + ":member"), group.getJsonArray("members").stream()
        .map(m -> ((JsonObject) m).getString("uid") + ":" + ((JsonObject) m).getString("role")).collect(java.util.stream.Collectors.toSet()));

    HttpResult room = await(node.http().post("/api/v1/rooms", alice.token(), new JsonObject().put("name", "lobby")));
    assertEquals(201, room.status());
    assertEquals(Set.of("roomId", "conv"), room.json().fieldNames());
    assertEquals(Conv.room(room.json().getString("roomId")), room.json().getString("conv"));
    ImClient client = await(node.connect("ws", alice, "a1"));
    JsonObject joined = await(client.request(Op.JOIN, new JsonObject().put("conv", room.json().getString("conv"))));
    assertEquals("ok", joined.getString("t"));
    assertFields(joined, "id");
    JsonObject left = await(client.request(Op.LEAVE, new JsonObject().put("conv", room.json().getString("conv"))));
    assertEquals("ok", left.getString("t"));
    assertFields(left, "id");
    client.close();
  }

  @Test
  void aJsonBodyOverTheLimitIs413() {
    TestNode.User alice = await(node.newUser());
    String big = "x".repeat(70 * 1024);
    assertHttpError(await(node.http().patch("/api/v1/users/me", alice.token(), new JsonObject().put("displayName", big))), 413, "too_large");
  }

  @Test
  void aJsonBodyThatIsNotAnObjectIs400() {
    assertHttpError(await(node.http().postBytes("/api/v1/auth/register", null, Buffer.buffer("[]"), "application/json")), 400, "bad_request");
    assertHttpError(await(node.http().postBytes("/api/v1/auth/login", null, Buffer.buffer(""), "application/json")), 400, "bad_request");
  }

  // ---------------------------------------------------------------- HTTP: conversations, history, sync

  @Test
  void theConversationListHasTheDocumentedFieldsNewestActivityFirst() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    befriend(alice, carol);
    String groupId = await(node.http().post("/api/v1/groups", alice.token(),
        new JsonObject().put("name", "team").put("members", new JsonArray().add(bob.uid())))).json().getString("groupId");
    ImClient client = await(node.connect("ws", alice, "a1"));
    await(client.request(Op.SEND, text("c1", "conv", Conv.group(groupId), "to the team")));
    await(client.request(Op.SEND, text("c2", "to", bob.uid(), "to bob")));

    HttpResult listed = await(node.http().get("/api/v1/conversations", alice.token()));
    assertEquals(200, listed.status());
    assertEquals(Set.of("conversations"), listed.json().fieldNames());
    List<JsonObject> convs = listed.json().getJsonArray("conversations").stream().map(JsonObject.class::cast).toList();
    assertEquals(List.of(Conv.p2p(alice.uid(), bob.uid()), Conv.group(groupId), Conv.p2p(alice.uid(), carol.uid())),
        convs.stream().map(c -> c.getString("conv")).toList(), "newest activity first");
    Set<String> common = Set.of("conv", "type", "name", "maxSeq", "readSeq", "unread", "lastMessage", "updatedAt");
    JsonObject p2p = convs.get(0);
    assertEquals(union(common, "peer"), p2p.fieldNames());
    assertEquals(bob.uid(), p2p.getString("peer"));
    assertEquals("to bob", p2p.getJsonObject("lastMessage").getJsonObject("body").getString("text"));
    JsonObject group = convs.get(1);
    assertEquals(union(common, "groupId"), group.fieldNames());
    assertEquals(groupId, group.getString("groupId"));
    assertEquals("team", group.getString("name"));
    JsonObject quiet = convs.get(2);
    assertTrue(quiet.containsKey("lastMessage"));
    assertNull(quiet.getValue("lastMessage"), "a conversation without messages has lastMessage null");
    assertEquals(0L, quiet.getLong("unread"));
    assertTrue(convs.stream().allMatch(c -> c.getValue("updatedAt") instanceof Number));
    client.close();
  }

  private static Set<String> union(Set<String> base, String extra) {
    Set<String> all = new HashSet<>(base);
    all.add(extra);
    return all;
  }

  @Test
  void historyMessagesHaveTheMsgFieldsAndARecalledOneOnlyItsTombstone() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient client = await(node.connect("tcp", alice, "a1"));
    JsonObject kept = await(client.request(Op.SEND, text("k", "to", bob.uid(), "kept")));
    JsonObject gone = await(client.request(Op.SEND, text("g", "to", bob.uid(), "gone")));
    String conv = kept.getString("conv");
    await(client.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", gone.getLong("seq"))));

    HttpResult page = await(node.http().get("/api/v1/conversations/" + conv + "/messages", bob.token()));
    assertEquals(200, page.status());
    assertEquals(Set.of("messages", "hasMore"), page.json().fieldNames());
    assertEquals(false, page.json().getBoolean("hasMore"));
    JsonArray messages = page.json().getJsonArray("messages");
    assertEquals(2, messages.size());
    JsonObject first = messages.getJsonObject(0);
    assertEquals(Set.of("conv", "seq", "mid", "from", "device", "cmid", "kind", "body", "ts"), first.fieldNames());
    assertEquals(kept.getString("mid"), first.getString("mid"));
    JsonObject tombstone = messages.getJsonObject(1);
    assertTrue(tombstone.fieldNames().containsAll(Set.of("seq", "mid", "from", "ts", "recalled")), tombstone.encode());
    assertEquals(true, tombstone.getBoolean("recalled"));
    assertFalse(tombstone.containsKey("kind"));
    assertFalse(tombstone.containsKey("body"));
    assertFalse(first.containsKey("recalled"), "only recalled messages carry recalled");
    assertEquals(tombstone, await(node.http().get("/api/v1/conversations", bob.token())).json()
        .getJsonArray("conversations").getJsonObject(0).getJsonObject("lastMessage"));
    client.close();
  }

  @Test
  void syncGivesTheNewestAboveSeqAndCountsTheMissing() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient client = await(node.connect("ws", alice, "a1"));
    JsonObject last = null;
    for (int i = 0; i < 4; i++) {
      last = await(client.request(Op.SEND, text("s" + i, "to", bob.uid(), "n" + i)));
    }
    String conv = last.getString("conv");
    HttpResult synced = await(node.http().post("/api/v1/sync", bob.token(), new JsonObject()
        .put("convs", new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 0))).put("limit", 1)));
    assertEquals(200, synced.status());
    assertEquals(Set.of("convs"), synced.json().fieldNames());
    JsonObject entry = synced.json().getJsonArray("convs").getJsonObject(0);
    assertEquals(Set.of("conv", "maxSeq", "readSeq", "unread", "messages", "missing"), entry.fieldNames());
    assertEquals(conv, entry.getString("conv"));
    assertEquals(last.getLong("seq"), entry.getLong("maxSeq"));
    assertEquals(0L, entry.getLong("readSeq"));
    assertEquals(4L, entry.getLong("unread"));
    assertEquals(1, entry.getJsonArray("messages").size());
    assertEquals(last.getString("mid"), entry.getJsonArray("messages").getJsonObject(0).getString("mid"));
    assertEquals(3L, entry.getLong("missing"));
    client.close();
  }

  // ---------------------------------------------------------------- HTTP: media, health, metrics

  @Test
  void mediaUploadDedupDownloadAndTheLimit() {
    TestNode.User alice = await(node.newUser());
    byte[] bytes = ("png-ish " + Ids.newId()).getBytes(StandardCharsets.UTF_8);
    HttpResult uploaded = await(node.http().postBytes("/api/v1/media", alice.token(), Buffer.buffer(bytes), "image/png"));
    assertEquals(201, uploaded.status());
    JsonObject media = uploaded.json();
    assertEquals(Set.of("url", "sha256", "size", "mime"), media.fieldNames());
    assertEquals(bytes.length, media.getInteger("size"));
    assertEquals("image/png", media.getString("mime"));
    assertTrue(media.getString("url").startsWith("/media/"));
    assertEquals(media.getString("url"), await(node.http().postBytes("/api/v1/media", alice.token(), Buffer.buffer(bytes), "image/png")).json().getString("url"));

    HttpResult download = await(node.http().get(media.getString("url"), alice.token()));
    assertEquals(200, download.status());
    assertEquals("image/png", download.contentType());
    assertEquals(Buffer.buffer(bytes), download.raw());
    assertHttpError(await(node.http().get(media.getString("url"), null)), 401, "unauthorized");
    assertHttpError(await(node.http().postBytes("/api/v1/media", alice.token(), Buffer.buffer(new byte[MEDIA_MAX_BYTES + 1]), "image/png")), 413, "too_large");
  }

  @Test
  void healthIsUpAndMetricsArePrometheusText() {
    HttpResult health = await(node.http().get("/health", null));
    assertEquals(200, health.status());
    assertEquals("UP", health.json().getString("status"));
    HttpResult metrics = await(node.http().get("/metrics", null));
    assertEquals(200, metrics.status());
    assertTrue(metrics.contentType().startsWith("text/plain"), metrics.contentType());
    String text = metrics.raw().toString();
    assertTrue(text.contains("# TYPE "), "Prometheus exposition format");
    for (String meter : List.of("im_connections{transport=\"ws\"}", "im_connections{transport=\"tcp\"}", "im_messages_sent",
        "im_messages_delivered", "im_ack_latency_seconds_bucket", "vertx_eventbus_", "vertx_pool_")) {
      assertTrue(text.contains(meter), "metrics name " + meter);
    }
  }
}
