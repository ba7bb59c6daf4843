package im.server.group;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.server.TestNode.User;
import im.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static im.server.TestNode.await;
import static im.server.group.GroupsEndToEndTest.createGroup;
import static im.server.group.GroupsEndToEndTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat rooms (join, send, delivery to joined connections, bounded history) and typing, through a real node. */
class RoomsAndTypingEndToEndTest {

  private static final int HISTORY_LIMIT = 5;
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(new JsonObject().put("rooms", new JsonObject().put("historyLimit", HISTORY_LIMIT)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static String createRoom(User user) {
    HttpResult created = await(node.http().post("/api/v1/rooms", user.token(), new JsonObject().put("name", "lobby")));
    assertEquals(201, created.status(), created.raw().toString());
    assertEquals("r:" + created.json().getString("roomId"), created.json().getString("conv"));
    return created.json().getString("conv");
  }

  private static JsonObject conv(String conv) {
    return new JsonObject().put("conv", conv);
  }

  @Test
  void onlyJoinedConnectionsSendAndReceiveAndAClosedOneLeaves() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User dave = await(node.newUser());
    String room = createRoom(alice);
    ImClient aliceWs = await(node.connect("ws", alice, "a"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    ImClient bobWs = await(node.connect("ws", bob, "b2"));
    ImClient carolWs = await(node.connect("ws", carol, "c"));
    ImClient daveTcp = await(node.connect("tcp", dave, "d"));

    assertEquals("not_member", await(aliceWs.request(Op.SEND, text(room, "x", "before join"))).getString("code"));
    for (ImClient client : List.of(aliceWs, bobTcp, carolWs)) {
      assertEquals("ok", await(client.request(Op.JOIN, conv(room))).getString("t"));
    }
    assertEquals("ok", await(carolWs.request(Op.LEAVE, conv(room))).getString("t"));
    assertEquals("not_found", await(daveTcp.request(Op.JOIN, conv("r:nosuchroom"))).getString("code"));
    assertEquals("bad_request", await(daveTcp.request(Op.JOIN, conv(Conv.group("abc")))).getString("code"));
    assertEquals("not_member", await(daveTcp.request(Op.SEND, text(room, "x", "not joined"))).getString("code"));
    assertEquals(2, node.node().sessions().rooms().size(room));

    JsonObject ack = await(aliceWs.request(Op.SEND, text(room, "hello", "hello room")));
    assertEquals("ack", ack.getString("t"));
    JsonObject msg = await(bobTcp.next(Op.MSG));
    assertEquals(ack.getLong("seq"), msg.getLong("seq"));
    assertEquals("hello room", msg.getJsonObject("body").getString("text"));
    // The ones that did not join (or left) get nothing: a ping answered after the message shows it.
    for (ImClient outside : List.of(bobWs, carolWs, daveTcp)) {
      await(outside.request(Op.PING, new JsonObject()));
      assertTrue(outside.received().stream().noneMatch(f -> "msg".equals(f.getString("t"))), outside.transport());
    }

    JsonObject page = await(node.http().get("/api/v1/conversations/" + room + "/messages", dave.token())).json();
    assertEquals(1, page.getJsonArray("messages").size(), "any signed-in user reads a room's history");
    assertTrue(await(node.http().get("/api/v1/conversations", alice.token())).json().getJsonArray("conversations").stream()
        .map(JsonObject.class::cast).noneMatch(c -> room.equals(c.getString("conv"))), "rooms are not in the conversation list");

    bobTcp.close();
    await(Poll.until(node.clientVertx(),
        () -> Future.succeededFuture(node.node().sessions().rooms().size(room) == 1)));
    List.of(aliceWs, bobWs, carolWs, daveTcp).forEach(ImClient::close);
  }

  @Test
  void aRoomKeepsOnlyItsNewestMessages() {
    User alice = await(node.newUser());
    User reader = await(node.newUser());
    String room = createRoom(alice);
    ImClient aliceTcp = await(node.connect("tcp", alice, "a"));
    await(aliceTcp.request(Op.JOIN, conv(room)));
    long last = 0;
    for (int i = 0; i < HISTORY_LIMIT + 3; i++) {
      last = await(aliceTcp.request(Op.SEND, text(room, "h" + i, "n" + i))).getLong("seq");
    }
    long newest = last;
    String path = "/api/v1/conversations/" + room + "/messages?limit=100";
    await(Poll.until(node.clientVertx(), () -> node.http().get(path, reader.token())
        .map(result -> result.json().getJsonArray("messages").size() == HISTORY_LIMIT)));
    JsonArray kept = await(node.http().get(path, reader.token())).json().getJsonArray("messages");
    assertEquals(newest, kept.getJsonObject(HISTORY_LIMIT - 1).getLong("seq"));
    assertEquals("n3", kept.getJsonObject(0).getJsonObject("body").getString("text"));
    aliceTcp.close();
  }

  @Test
  void typingReachesTheOthersOnceASecondAndIsNeverStored() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User outsider = await(node.newUser());
    ImClient alicePhone = await(node.connect("ws", alice, "phone"));
    ImClient aliceLaptop = await(node.connect("tcp", alice, "laptop"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    ImClient carolWs = await(node.connect("ws", carol, "c"));
    ImClient outsiderWs = await(node.connect("ws", outsider, "o"));
    String p2p = await(alicePhone.request(Op.SEND, new JsonObject().put("cmid", "t0").put("to", bob.uid()).put("kind", "text")
        .put("body", new JsonObject().put("text", "hi")))).getString("conv");
    await(bobTcp.next(Op.MSG));
    await(aliceLaptop.next(Op.MSG));

    alicePhone.send(Op.TYPING, conv(p2p));
    alicePhone.send(Op.TYPING, conv(p2p));
    JsonObject typing = await(bobTcp.next(Op.TYPING));
    assertEquals(p2p, typing.getString("conv"));
    assertEquals(alice.uid(), typing.getString("uid"));
    long seq = await(alicePhone.request(Op.SEND, new JsonObject().put("cmid", "t1").put("conv", p2p).put("kind", "text")
        .put("body", new JsonObject().put("text", "after typing")))).getLong("seq");
    assertEquals(seq, await(bobTcp.next(Op.MSG)).getLong("seq"));
    assertEquals(1, bobTcp.received().stream().filter(f -> "typing".equals(f.getString("t"))).count(), "the second is dropped");
    assertEquals(seq, await(aliceLaptop.next(Op.MSG)).getLong("seq"));
    assertTrue(aliceLaptop.received().stream().noneMatch(f -> "typing".equals(f.getString("t"))), "not to the typist's devices");
    JsonArray stored = await(node.http().get("/api/v1/conversations/" + p2p + "/messages", bob.token())).json().getJsonArray("messages");
    assertEquals(2, stored.size(), "typing is never stored");
    assertEquals("not_member", await(outsiderWs.request(Op.TYPING, conv(p2p))).getString("code"));

    String group = "g:" + createGroup(node, alice, "typists", bob, carol);
    assertEquals("ok", await(carolWs.request(Op.TYPING, conv(group))).getString("t"));
    for (ImClient other : List.of(alicePhone, aliceLaptop, bobTcp)) {
      JsonObject told = await(other.next(Op.TYPING));
      assertEquals(group, told.getString("conv"));
      assertEquals(carol.uid(), told.getString("uid"));
    }
    assertEquals("not_member", await(outsiderWs.request(Op.TYPING, conv(group))).getString("code"));

    String room = createRoom(alice);
    assertEquals("not_member", await(outsiderWs.request(Op.TYPING, conv(room))).getString("code"));
    await(outsiderWs.request(Op.JOIN, conv(room)));
    await(bobTcp.request(Op.JOIN, conv(room)));
    outsiderWs.send(Op.TYPING, conv(room));
    JsonObject inRoom = await(bobTcp.next(Op.TYPING));
    assertEquals(room, inRoom.getString("conv"));
    assertEquals(outsider.uid(), inRoom.getString("uid"));
    List.of(alicePhone, aliceLaptop, bobTcp, carolWs, outsiderWs).forEach(ImClient::close);
  }
}
