package im.server.call;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.shared.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One-to-one calls end to end on a two-node cluster (docs/protocol.md §3, Calls): alice calls from one device on
 * node one; bob has a device on each node, over both transports. Every ending leaves exactly one {@code call}
 * message in the history of both.
 */
class CallsEndToEndTest {

  private static final long RING_TIMEOUT_MS = 3000;

  private static TestNode one;
  private static TestNode two;

  private TestNode.User alice;
  private TestNode.User bob;
  private String conv;
  private ImClient a1;
  private ImClient b1;
  private ImClient b2;
  private final List<ImClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    String name = "im-calls-" + Ids.newId();
    JsonObject calls = new JsonObject().put("ringTimeoutMs", RING_TIMEOUT_MS)
        .put("iceServers", new JsonArray().add(new JsonObject().put("urls", "stun:stun.example.org:3478")));
    one = TestNode.start(new JsonObject().put("calls", calls).put("cluster", new JsonObject().put("name", name)));
    two = TestNode.start(new JsonObject().put("calls", calls)
        .put("cluster", new JsonObject().put("name", name).put("members", "127.0.0.1:" + one.clusterPort())));
  }

  @AfterAll
  static void stopCluster() {
    two.close();
    one.close();
  }

  @BeforeEach
  void signIn() {
    alice = await(one.newUser());
    bob = await(one.newUser());
    conv = Conv.p2p(alice.uid(), bob.uid());
    a1 = connect(one, "ws", alice, "a1");
    b1 = connect(one, "tcp", bob, "b1");
    b2 = connect(two, "ws", bob, "b2");
  }

  @AfterEach
  void signOut() {
    clients.forEach(ImClient::close);
    clients.clear();
  }

  @Test
  void anAcceptedCallIsRelayedToTheBoundDevicesAndEndsCompletedOnce() {
    ok(a1, "c1", "invite", new JsonObject().put("media", "video"));
    JsonObject invite = nextCall(b1);
    assertEquals("invite", invite.getString("action"));
    assertEquals("video", invite.getString("media"));
    assertEquals(alice.uid(), invite.getString("from"));
    assertEquals(conv, invite.getString("conv"));
    assertEquals("invite", nextCall(b2).getString("action"), "an invite rings every device of the callee");

    ok(b2, "c1", "ringing", new JsonObject());
    assertEquals("ringing", nextCall(a1).getString("action"));
    ok(b2, "c1", "accept", new JsonObject());
    assertEquals("accept", nextCall(a1).getString("action"));
    assertEquals("answered_elsewhere", nextCall(b1).getString("action"));

    JsonObject offer = new JsonObject().put("type", "offer").put("sdp", "v=0 offer");
    ok(a1, "c1", "sdp", new JsonObject().put("sdp", offer));
    assertEquals(offer, nextCall(b2).getJsonObject("sdp"));
    ok(b2, "c1", "sdp", new JsonObject().put("sdp", "v=0 answer"));
    assertEquals("v=0 answer", nextCall(a1).getString("sdp"));
    assertEquals("forbidden", error(b1, "c1", "ice", new JsonObject().put("candidate", "x")),
        "once accepted, the call is bound to the accepting device");

    // The caller's connection drops and comes back on the other node: the call goes on there.
    a1.close();
    await(a1.closed());
    ImClient a1Again = connect(two, "tcp", alice, "a1");
    JsonObject candidate = new JsonObject().put("candidate", "candidate:1 1 udp 1 10.0.0.1 5000 typ host");
    ok(b2, "c1", "ice", new JsonObject().put("candidate", candidate));
    assertEquals(candidate, nextCall(a1Again).getJsonObject("candidate"));

    ok(a1Again, "c1", "hangup", new JsonObject());
    assertEquals("hangup", nextCall(b2).getString("action"));
    ok(b2, "c1", "hangup", new JsonObject());

    JsonObject body = callMessage(b1);
    assertEquals("completed", body.getString("result"));
    assertEquals("video", body.getString("media"));
    assertEquals("c1", body.getString("callId"));
    assertTrue(body.getLong("durationMs") >= 0);
    assertEquals(body, callMessage(b2));
    assertEquals(body, callMessage(a1Again));
    assertOneCallMessage("completed");
    assertTrue(b1.received().stream().noneMatch(f -> "call".equals(f.getString("t"))
        && List.of("sdp", "ice", "hangup").contains(f.getString("action"))), "b1 was left out once b2 answered");
  }

  @Test
  void aRejectFromAnyCalleeDeviceEndsTheCallForAll() {
    ok(a1, "c2", "invite", new JsonObject().put("media", "audio"));
    nextCall(b1);
    nextCall(b2);
    ok(b1, "c2", "reject", new JsonObject());
    assertEquals("reject", nextCall(a1).getString("action"));
    assertEquals("reject", nextCall(b2).getString("action"));
    ok(a1, "c2", "hangup", new JsonObject());
    assertEquals("not_found", error(b2, "c2", "accept", new JsonObject()));
    assertEquals("rejected", callMessage(a1).getString("result"));
    assertOneCallMessage("rejected");
  }

  @Test
  void theCallerCancelsBeforeAnyAnswer() {
    ok(a1, "c3", "invite", new JsonObject().put("media", "audio"));
    nextCall(b1);
    nextCall(b2);
    assertEquals("forbidden", error(b1, "c3", "cancel", new JsonObject()), "the callee rejects rather than cancels");
    ok(a1, "c3", "cancel", new JsonObject());
    assertEquals("cancel", nextCall(b1).getString("action"));
    assertEquals("cancel", nextCall(b2).getString("action"));
    JsonObject msg = await(a1.next(Op.MSG));
    assertEquals("cancelled", msg.getJsonObject("body").getString("result"));
    assertOneCallMessage("cancelled");
    assertEquals("forbidden", await(a1.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", msg.getLong("seq"))))
        .getString("code"), "the server's record of a call is not the caller's to recall");
  }

  @Test
  void anInviteNobodyAnswersEndsAsMissed() {
    ok(a1, "c4", "invite", new JsonObject().put("media", "video"));
    nextCall(b1);
    nextCall(b2);
    JsonObject timeout = nextCall(b1);
    assertEquals("cancel", timeout.getString("action"));
    assertEquals("timeout", timeout.getString("reason"));
    assertEquals("cancel", nextCall(b2).getString("action"));
    JsonObject body = callMessage(a1);
    assertEquals("missed", body.getString("result"));
    assertEquals(0, body.getLong("durationMs"));
    assertEquals("not_found", error(b1, "c4", "accept", new JsonObject()));
    assertOneCallMessage("missed");
  }

  @Test
  void aCallIdIsUsedOnce() {
    ok(a1, "c5", "invite", new JsonObject().put("media", "audio"));
    assertEquals("conflict", error(a1, "c5", "invite", new JsonObject().put("media", "audio")));
    ok(a1, "c5", "cancel", new JsonObject());
    callMessage(a1);
    assertEquals("conflict", error(a1, "c5", "invite", new JsonObject().put("media", "audio")));
  }

  @Test
  void aBlockEitherWayRefusesTheInvite() {
    assertEquals(204, await(two.http().put("/api/v1/blocks/" + alice.uid(), bob.token(), null)).status());
    assertEquals("blocked", error(a1, "c6", "invite", new JsonObject().put("media", "audio")));
    assertEquals(204, await(two.http().delete("/api/v1/blocks/" + alice.uid(), bob.token())).status());
    assertEquals(204, await(one.http().put("/api/v1/blocks/" + bob.uid(), alice.token(), null)).status());
    assertEquals("blocked", error(a1, "c6", "invite", new JsonObject().put("media", "audio")));
    assertTrue(b1.received().stream().noneMatch(f -> "call".equals(f.getString("t"))));
  }

  @Test
  void aCalleeWithoutAnOnlineDeviceIsUnavailableAndNothingIsWritten() {
    TestNode.User carol = await(two.newUser());
    String carolConv = Conv.p2p(alice.uid(), carol.uid());
    JsonObject invite = callFrame("c7", "invite", new JsonObject().put("media", "audio")).put("conv", carolConv);
    assertEquals("unavailable", await(a1.request(Op.CALL, invite)).getString("code"));
    JsonArray conversations = await(one.http().get("/api/v1/conversations", alice.token())).json()
        .getJsonArray("conversations");
    assertTrue(conversations.stream().noneMatch(c -> carolConv.equals(((JsonObject) c).getString("conv"))));
  }

  @Test
  void callsAreOnlyInOneToOneConversationsOfTheCaller() {
    TestNode.User carol = await(two.newUser());
    JsonObject strangers = callFrame("c8", "invite", new JsonObject().put("media", "audio"))
        .put("conv", Conv.p2p(bob.uid(), carol.uid()));
    assertEquals("not_member", await(a1.request(Op.CALL, strangers)).getString("code"));
    JsonObject group = callFrame("c8", "invite", new JsonObject().put("media", "audio")).put("conv", "g:" + Ids.newId());
    assertEquals("not_member", await(a1.request(Op.CALL, group)).getString("code"));
    assertEquals("bad_request", error(a1, "c8", "invite", new JsonObject().put("media", "hologram")));
    assertEquals("bad_request", error(a1, "c8", "dial", new JsonObject()));
    assertEquals("not_found", error(a1, "nope", "hangup", new JsonObject()));
  }

  @Test
  void aClientCannotSendACallMessage() {
    JsonObject send = new JsonObject().put("cmid", "m1").put("to", bob.uid()).put("kind", "call")
        .put("body", new JsonObject().put("callId", "x").put("media", "audio").put("result", "completed").put("durationMs", 1));
    assertEquals("bad_request", await(a1.request(Op.SEND, send)).getString("code"));
  }

  @Test
  void theIceServersComeFromTheConfiguration() {
    HttpResult config = await(two.http().get("/api/v1/calls/config", alice.token()));
    assertEquals(200, config.status());
    assertEquals(new JsonObject().put("iceServers", new JsonArray().add(new JsonObject().put("urls", "stun:stun.example.org:3478"))),
        config.json());
    assertEquals(401, await(two.http().get("/api/v1/calls/config", null)).status());
  }

  // ---------------------------------------------------------------- helpers

  private ImClient connect(TestNode node, String transport, TestNode.User user, String device) {
    ImClient client = await(node.connect(transport, user, device));
    clients.add(client);
    return client;
  }

  private JsonObject callFrame(String callId, String action, JsonObject fields) {
    return fields.copy().put("callId", callId).put("conv", conv).put("action", action);
  }

  private void ok(ImClient client, String callId, String action, JsonObject fields) {
    JsonObject reply = await(client.request(Op.CALL, callFrame(callId, action, fields)));
    assertEquals("ok", reply.getString("t"), action + ": " + reply.encode());
  }

  private String error(ImClient client, String callId, String action, JsonObject fields) {
    JsonObject reply = await(client.request(Op.CALL, callFrame(callId, action, fields)));
    assertEquals("error", reply.getString("t"), action + ": " + reply.encode());
    return reply.getString("code");
  }

  private static JsonObject nextCall(ImClient client) {
    return await(client.next(Op.CALL));
  }

  /** The body of the next {@code msg} of kind {@code call} this device gets. */
  private static JsonObject callMessage(ImClient client) {
    JsonObject msg = await(client.next(Op.MSG));
    assertEquals("call", msg.getString("kind"), msg.encode());
    assertEquals("server", msg.getString("device"));
    return msg.getJsonObject("body");
  }

  private void assertOneCallMessage(String result) {
    for (TestNode node : List.of(one, two)) {
      for (TestNode.User user : List.of(alice, bob)) {
        JsonArray messages = await(node.http().get("/api/v1/conversations/" + conv + "/messages", user.token())).json()
            .getJsonArray("messages");
        assertEquals(1, messages.size(), messages.encode());
        JsonObject message = messages.getJsonObject(0);
        assertEquals("call", message.getString("kind"));
        assertEquals(alice.uid(), message.getString("from"));
        assertEquals(result, message.getJsonObject("body").getString("result"));
        assertFalse(message.containsKey("recalled"));
      }
    }
  }
}
