package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Friend requests, friendships and blocks over HTTP, with their realtime events and their effect on send. */
class SocialEndToEndTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  static HttpResult post(TestNode on, String path, TestNode.User as, JsonObject body) {
    return await(on.http().post(path, as.token(), body));
  }

  static HttpResult get(TestNode on, String path, TestNode.User as) {
    return await(on.http().get(path, as.token()));
  }

  static String requestFriend(TestNode on, TestNode.User from, TestNode.User to) {
    HttpResult created = post(on, "/api/v1/friends/requests", from, new JsonObject().put("to", to.uid()));
    assertEquals(201, created.status(), created.raw().toString());
    return created.json().getString("requestId");
  }

  /** Makes two users friends; @return their conversation */
  static String befriend(TestNode on, TestNode.User a, TestNode.User b) {
    String requestId = requestFriend(on, a, b);
    HttpResult accepted = post(on, "/api/v1/friends/requests/" + requestId + "/accept", b, null);
    assertEquals(200, accepted.status(), accepted.raw().toString());
    return accepted.json().getString("conv");
  }

  static JsonObject text(String cmid, TestNode.User to, String text) {
    return new JsonObject().put("cmid", cmid).put("to", to.uid()).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  private static JsonArray friendUids(TestNode.User user) {
    JsonArray uids = new JsonArray();
    get(node, "/api/v1/friends", user).json().getJsonArray("friends").forEach(f -> uids.add(((JsonObject) f).getString("uid")));
    return uids;
  }

  @Test
  void aRequestIsPushedListedAcceptedAndTheNewFriendsChat() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "a1"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b1"));

    HttpResult created = post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", bob.uid()).put("message", "hi, it's alice"));
    assertEquals(201, created.status());
    String requestId = created.json().getString("requestId");
    assertNotNull(requestId);

    JsonObject event = await(bobTcp.next(Op.EVENT));
    assertEquals("friend_request", event.getString("kind"));
    JsonObject data = event.getJsonObject("data");
    assertEquals(requestId, data.getString("requestId"));
    assertEquals(alice.uid(), data.getString("from"));
    assertEquals("hi, it's alice", data.getString("message"));
    assertNotNull(data.getLong("createdAt"));

    JsonArray incoming = get(node, "/api/v1/friends/requests", bob).json().getJsonArray("requests");
    assertEquals(1, incoming.size());
    assertEquals(data, incoming.getJsonObject(0));
    assertEquals(0, get(node, "/api/v1/friends/requests", alice).json().getJsonArray("requests").size(), "only incoming requests are listed");

    HttpResult byRequester = post(node, "/api/v1/friends/requests/" + requestId + "/accept", alice, null);
    assertEquals(403, byRequester.status());
    assertEquals("forbidden", byRequester.errorCode());
    HttpResult byStranger = post(node, "/api/v1/friends/requests/" + requestId + "/accept", carol, null);
    assertEquals(404, byStranger.status());
    assertEquals("not_found", byStranger.errorCode());

    HttpResult accepted = post(node, "/api/v1/friends/requests/" + requestId + "/accept", bob, null);
    assertEquals(200, accepted.status());
    String conv = Conv.p2p(alice.uid(), bob.uid());
    assertEquals(conv, accepted.json().getString("conv"));
    JsonObject acceptedEvent = await(aliceWs.next(Op.EVENT));
    assertEquals("friend_accepted", acceptedEvent.getString("kind"));
    assertEquals(bob.uid(), acceptedEvent.getJsonObject("data").getString("uid"));
    assertEquals(conv, acceptedEvent.getJsonObject("data").getString("conv"));

    assertEquals(404, post(node, "/api/v1/friends/requests/" + requestId + "/accept", bob, null).status(), "a request is accepted once");
    assertEquals(0, get(node, "/api/v1/friends/requests", bob).json().getJsonArray("requests").size());
    assertEquals(new JsonArray().add(bob.uid()), friendUids(alice));
    JsonObject bobAsFriend = get(node, "/api/v1/friends", alice).json().getJsonArray("friends").getJsonObject(0);
    assertEquals(bob.username(), bobAsFriend.getString("username"));
    assertEquals("online", bobAsFriend.getString("status"));
    assertEquals(new JsonArray().add(alice.uid()), friendUids(bob));

    JsonArray bobsConversations = get(node, "/api/v1/conversations", bob).json().getJsonArray("conversations");
    assertTrue(bobsConversations.stream().anyMatch(c -> conv.equals(((JsonObject) c).getString("conv"))),
        "accepting opens the conversation for both");

    JsonObject ack = await(aliceWs.request(Op.SEND, text("f1", bob, "friends now")));
    assertEquals("ack", ack.getString("t"));
    assertEquals("friends now", await(bobTcp.next(Op.MSG)).getJsonObject("body").getString("text"));
    JsonObject back = await(bobTcp.request(Op.SEND, new JsonObject().put("cmid", "f2").put("conv", conv).put("kind", "text")
        .put("body", new JsonObject().put("text", "yes"))));
    assertEquals("ack", back.getString("t"));
    assertEquals("yes", await(aliceWs.next(Op.MSG)).getJsonObject("body").getString("text"));
    List.of(aliceWs, bobTcp).forEach(ImClient::close);
  }

  @Test
  void badRequestsGetClearErrors() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());

    HttpResult self = post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", alice.uid()));
    assertEquals(400, self.status());
    assertEquals("bad_request", self.errorCode());
    assertEquals("bad_request", post(node, "/api/v1/friends/requests", alice, new JsonObject()).errorCode());
    assertEquals("bad_request", post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", 7)).errorCode());
    assertEquals("bad_request", post(node, "/api/v1/friends/requests", alice,
        new JsonObject().put("to", bob.uid()).put("message", "x".repeat(501))).errorCode());
    HttpResult unknown = post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", "nobody-" + Ids.newId()));
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.errorCode());
    assertEquals(401, await(node.http().post("/api/v1/friends/requests", null, new JsonObject().put("to", bob.uid()))).status());
    assertEquals(401, await(node.http().get("/api/v1/friends", null)).status());

    String first = requestFriend(node, alice, bob);
    assertEquals(first, requestFriend(node, alice, bob), "asking again while pending is the same request");
    assertEquals(1, get(node, "/api/v1/friends/requests", bob).json().getJsonArray("requests").size());

    assertEquals(200, post(node, "/api/v1/friends/requests/" + first + "/accept", bob, null).status());
    HttpResult again = post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", bob.uid()));
    assertEquals(409, again.status());
    assertEquals("conflict", again.errorCode());
    assertEquals("not_found", post(node, "/api/v1/friends/requests/nope/reject", bob, null).errorCode());
  }

  @Test
  void askingSomeoneWhoAlreadyAskedYouMakesYouFriends() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceTcp = await(node.connect("tcp", alice, "a1"));
    String aliceAsked = requestFriend(node, alice, bob);

    HttpResult bobAsks = post(node, "/api/v1/friends/requests", bob, new JsonObject().put("to", alice.uid()));
    assertEquals(201, bobAsks.status());
    assertEquals(aliceAsked, bobAsks.json().getString("requestId"));
    assertEquals(Conv.p2p(alice.uid(), bob.uid()), bobAsks.json().getString("conv"));
    JsonObject event = await(aliceTcp.next(Op.EVENT));
    assertEquals("friend_accepted", event.getString("kind"));
    assertEquals(bob.uid(), event.getJsonObject("data").getString("uid"));
    assertEquals(new JsonArray().add(bob.uid()), friendUids(alice));
    assertEquals(0, get(node, "/api/v1/friends/requests", alice).json().getJsonArray("requests").size());
    aliceTcp.close();
  }

  @Test
  void onlyTheTargetRejectsAndARejectedRequestIsGone() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    String requestId = requestFriend(node, alice, bob);

    assertEquals("forbidden", post(node, "/api/v1/friends/requests/" + requestId + "/reject", alice, null).errorCode());
    assertEquals(204, post(node, "/api/v1/friends/requests/" + requestId + "/reject", bob, null).status());
    assertEquals(0, get(node, "/api/v1/friends/requests", bob).json().getJsonArray("requests").size());
    assertEquals(404, post(node, "/api/v1/friends/requests/" + requestId + "/accept", bob, null).status());
    assertEquals(0, friendUids(alice).size());
    assertTrue(!requestId.equals(requestFriend(node, alice, bob)), "after a rejection one may ask again");
  }

  @Test
  void unfriendingEndsTheFriendshipForBoth() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    befriend(node, alice, bob);

    assertEquals(204, await(node.http().delete("/api/v1/friends/" + bob.uid(), alice.token())).status());
    assertEquals(0, friendUids(alice).size());
    assertEquals(0, friendUids(bob).size());
    HttpResult again = await(node.http().delete("/api/v1/friends/" + bob.uid(), alice.token()));
    assertEquals(404, again.status());
    assertEquals("not_found", again.errorCode());
  }

  @Test
  void aBlockStopsSendsBothWaysUntilLifted() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    befriend(node, alice, bob);
    ImClient aliceWs = await(node.connect("ws", alice, "a1"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b1"));
    assertEquals("ack", await(aliceWs.request(Op.SEND, text("before", bob, "hi"))).getString("t"), "the pair is cached as allowed");
    assertEquals("hi", await(bobTcp.next(Op.MSG)).getJsonObject("body").getString("text"));

    assertEquals(204, await(node.http().put("/api/v1/blocks/" + alice.uid(), bob.token(), null)).status());
    assertEquals(204, await(node.http().put("/api/v1/blocks/" + alice.uid(), bob.token(), null)).status(), "blocking is idempotent");
    assertEquals(new JsonArray().add(alice.uid()), get(node, "/api/v1/blocks", bob).json().getJsonArray("uids"));
    assertEquals(0, get(node, "/api/v1/blocks", alice).json().getJsonArray("uids").size());
    assertEquals(0, friendUids(alice).size(), "a block ends the friendship");

    JsonObject refused = await(aliceWs.request(Op.SEND, text("during", bob, "hello?")));
    assertEquals("error", refused.getString("t"));
    assertEquals("blocked", refused.getString("code"));
    assertEquals("blocked", await(bobTcp.request(Op.SEND, text("blocker", alice, "bye"))).getString("code"),
        "the blocker cannot message the blocked user either");
    HttpResult request = post(node, "/api/v1/friends/requests", alice, new JsonObject().put("to", bob.uid()));
    assertEquals(403, request.status());
    assertEquals("blocked", request.errorCode());

    assertEquals(204, await(node.http().delete("/api/v1/blocks/" + alice.uid(), bob.token())).status());
    assertEquals(0, get(node, "/api/v1/blocks", bob).json().getJsonArray("uids").size());
    assertEquals("ack", await(aliceWs.request(Op.SEND, text("after", bob, "back"))).getString("t"));
    assertEquals("back", await(bobTcp.next(Op.MSG)).getJsonObject("body").getString("text"));
    List.of(aliceWs, bobTcp).forEach(ImClient::close);
  }

  @Test
  void blockingOneselfOrNobodyIsRefused() {
    TestNode.User alice = await(node.newUser());
    assertEquals("bad_request", await(node.http().put("/api/v1/blocks/" + alice.uid(), alice.token(), null)).errorCode());
    HttpResult unknown = await(node.http().put("/api/v1/blocks/nobody-" + Ids.newId(), alice.token(), null));
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.errorCode());
  }

  @Test
  void withFriendshipRequiredOnlyFriendsChat() {
    try (TestNode strict = TestNode.start(new JsonObject().put("p2p", new JsonObject().put("requireFriendship", true)))) {
      TestNode.User alice = await(strict.newUser());
      TestNode.User bob = await(strict.newUser());
      ImClient aliceTcp = await(strict.connect("tcp", alice, "a1"));
      ImClient bobWs = await(strict.connect("ws", bob, "b1"));

      JsonObject refused = await(aliceTcp.request(Op.SEND, text("s1", bob, "hi stranger")));
      assertEquals("error", refused.getString("t"));
      assertEquals("not_friends", refused.getString("code"));

      befriend(strict, alice, bob);
      assertEquals("ack", await(aliceTcp.request(Op.SEND, text("s1", bob, "hi friend"))).getString("t"));
      assertEquals("hi friend", await(bobWs.next(Op.MSG)).getJsonObject("body").getString("text"));

      assertEquals(204, await(strict.http().delete("/api/v1/friends/" + alice.uid(), bob.token())).status());
      assertEquals("not_friends", await(bobWs.request(Op.SEND, text("s2", alice, "still there?"))).getString("code"));
      List.of(aliceTcp, bobWs).forEach(ImClient::close);
    }
  }
}
