package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One-to-one messaging through a real node, one client over WebSocket and one over TCP. */
class MessagingEndToEndTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }


  private static JsonObject text(String text) {
    return new JsonObject().put("text", text);
  }

  private static JsonObject send(String cmid, String toOrConvField, String target, String text) {
    return new JsonObject().put("cmid", cmid).put(toOrConvField, target).put("kind", "text").put("body", text(text));
  }

  @Test
  void aWebSocketAndATcpClientChat() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    ImClient bobTcp = await(node.connect("tcp", bob, "desktop"));

    JsonObject ack = await(aliceWs.request(Op.SEND, send("c1", "to", bob.uid(), "hello bob")));
    String conv = Conv.p2p(alice.uid(), bob.uid());
    assertEquals("ack", ack.getString("t"));
    assertEquals("c1", ack.getString("cmid"));
    assertEquals(conv, ack.getString("conv"));
    assertTrue(ack.getLong("seq") >= 1);
    assertNotNull(ack.getString("mid"));
    assertNotNull(ack.getLong("ts"));

    JsonObject msg = await(bobTcp.next(Op.MSG));
    assertEquals(conv, msg.getString("conv"));
    assertEquals(ack.getLong("seq"), msg.getLong("seq"));
    assertEquals(ack.getString("mid"), msg.getString("mid"));
    assertEquals(alice.uid(), msg.getString("from"));
    assertEquals("phone", msg.getString("device"));
    assertEquals("c1", msg.getString("cmid"));
    assertEquals("text", msg.getString("kind"));
    assertEquals("hello bob", msg.getJsonObject("body").getString("text"));
    assertEquals(ack.getLong("ts"), msg.getLong("ts"));

    JsonObject reply = await(bobTcp.request(Op.SEND, send("r1", "conv", conv, "hi alice")));
    assertEquals(ack.getLong("seq") + 1, reply.getLong("seq"));
    JsonObject back = await(aliceWs.next(Op.MSG));
    assertEquals("hi alice", back.getJsonObject("body").getString("text"));
    assertEquals(bob.uid(), back.getString("from"));
    aliceWs.close();
    bobTcp.close();
  }

  @Test
  void aRetriedCmidGetsTheSameAckAndIsStoredOnce() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceTcp = await(node.connect("tcp", alice, "phone"));
    JsonObject command = send("retry-" + Ids.newId(), "to", bob.uid(), "once");

    List<Future<JsonObject>> concurrent = List.of(aliceTcp.request(Op.SEND, command.copy()), aliceTcp.request(Op.SEND, command.copy()));
    JsonObject first = await(concurrent.get(0));
    JsonObject second = await(concurrent.get(1));
    JsonObject later = await(aliceTcp.request(Op.SEND, command.copy()));
    for (JsonObject ack : List.of(second, later)) {
      assertEquals(first.getLong("seq"), ack.getLong("seq"));
      assertEquals(first.getString("mid"), ack.getString("mid"));
      assertEquals(first.getLong("ts"), ack.getLong("ts"));
    }

    JsonObject history = await(node.http().get("/api/v1/conversations/" + first.getString("conv") + "/messages", bob.token())).json();
    assertEquals(1, history.getJsonArray("messages").size());
    aliceTcp.close();
  }

  @Test
  void everyOtherDeviceGetsTheMessageButNotTheSendingConnection() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alicePhone = await(node.connect("ws", alice, "phone"));
    ImClient aliceLaptop = await(node.connect("tcp", alice, "laptop"));
    ImClient bobPhone = await(node.connect("ws", bob, "phone"));
    ImClient bobTablet = await(node.connect("tcp", bob, "tablet"));

    JsonObject ack = await(alicePhone.request(Op.SEND, send("m1", "to", bob.uid(), "to all")));
    for (ImClient other : List.of(aliceLaptop, bobPhone, bobTablet)) {
      JsonObject msg = await(other.next(Op.MSG));
      assertEquals(ack.getString("mid"), msg.getString("mid"));
    }
    await(alicePhone.request(Op.PING, new JsonObject()));
    assertTrue(alicePhone.received().stream().noneMatch(frame -> "msg".equals(frame.getString("t"))),
        "the sending connection gets the ack, not a msg");
    List.of(alicePhone, aliceLaptop, bobPhone, bobTablet).forEach(ImClient::close);
  }

  @Test
  void readMovesOnlyForwardAndIsReceiptedToThePeerAndOtherDevices() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alice1 = await(node.connect("ws", alice, "a1"));
    ImClient bob1 = await(node.connect("tcp", bob, "b1"));
    ImClient bob2 = await(node.connect("ws", bob, "b2"));
    String conv = Conv.p2p(alice.uid(), bob.uid());
    long last = 0;
    for (int i = 0; i < 3; i++) {
      last = await(alice1.request(Op.SEND, send("r" + i, "to", bob.uid(), "n" + i))).getLong("seq");
    }
    JsonObject listed = conversation(bob, conv);
    assertEquals(3, listed.getInteger("unread"));
    assertEquals(0, listed.getLong("readSeq"));
    assertEquals(last, listed.getLong("maxSeq"));
    assertEquals("n2", listed.getJsonObject("lastMessage").getJsonObject("body").getString("text"));
    assertEquals(alice.uid(), listed.getString("peer"));

    bob1.send(Op.READ, new JsonObject().put("conv", conv).put("seq", last - 1));
    JsonObject receipt = await(alice1.next(Op.READ));
    assertEquals(conv, receipt.getString("conv"));
    assertEquals(bob.uid(), receipt.getString("uid"));
    assertEquals(last - 1, receipt.getLong("seq"));
    assertEquals(last - 1, await(bob2.next(Op.READ)).getLong("seq"));
    assertEquals(1, conversation(bob, conv).getInteger("unread"));

    assertEquals(204, await(node.http().post("/api/v1/conversations/" + conv + "/read", bob.token(),
        new JsonObject().put("seq", 1))).status());
    assertEquals(last - 1, conversation(bob, conv).getLong("readSeq"), "a lower seq is ignored");
    List.of(alice1, bob1, bob2).forEach(ImClient::close);
  }

  private static JsonObject conversation(TestNode.User user, String conv) {
    JsonArray conversations = await(node.http().get("/api/v1/conversations", user.token())).json().getJsonArray("conversations");
    for (int i = 0; i < conversations.size(); i++) {
      if (conv.equals(conversations.getJsonObject(i).getString("conv"))) {
        return conversations.getJsonObject(i);
      }
    }
    throw new AssertionError(conv + " is not in the conversation list");
  }

  @Test
  void theSenderRecallsAndEveryoneSeesTheTombstone() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alice1 = await(node.connect("tcp", alice, "a1"));
    ImClient bob1 = await(node.connect("ws", bob, "b1"));
    JsonObject ack = await(alice1.request(Op.SEND, send("x1", "to", bob.uid(), "oops")));
    String conv = ack.getString("conv");
    long seq = ack.getLong("seq");

    JsonObject refused = await(bob1.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", seq)));
    assertEquals("error", refused.getString("t"));
    assertEquals("forbidden", refused.getString("code"));

    JsonObject ok = await(alice1.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", seq)));
    assertEquals("ok", ok.getString("t"));
    JsonObject recalled = await(bob1.next(Op.RECALLED));
    assertEquals(conv, recalled.getString("conv"));
    assertEquals(seq, recalled.getLong("seq"));
    assertEquals(alice.uid(), recalled.getString("by"));

    JsonObject tombstone = await(node.http().get("/api/v1/conversations/" + conv + "/messages", bob.token()))
        .json().getJsonArray("messages").getJsonObject(0);
    assertEquals(true, tombstone.getBoolean("recalled"));
    assertNull(tombstone.getValue("body"));
    assertNull(tombstone.getValue("kind"));
    assertEquals(ack.getString("mid"), tombstone.getString("mid"));

    JsonObject missing = await(alice1.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", seq + 100)));
    assertEquals("not_found", missing.getString("code"));
    List.of(alice1, bob1).forEach(ImClient::close);
  }

  @Test
  void historyPagesBackwardsAndForwards() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alice1 = await(node.connect("ws", alice, "a1"));
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      seqs.add(await(alice1.request(Op.SEND, send("h" + i, "to", bob.uid(), "m" + i))).getLong("seq"));
    }
    String path = "/api/v1/conversations/" + Conv.p2p(alice.uid(), bob.uid()) + "/messages";

    JsonObject newest = await(node.http().get(path, bob.token())).json();
    JsonArray page = newest.getJsonArray("messages");
    assertEquals(20, page.size());
    assertTrue(newest.getBoolean("hasMore"));
    assertEquals(seqs.get(5), page.getJsonObject(0).getLong("seq"));
    assertEquals(seqs.get(24), page.getJsonObject(19).getLong("seq"));

    JsonObject older = await(node.http().get(path + "?before=" + seqs.get(5) + "&limit=20", bob.token())).json();
    assertEquals(5, older.getJsonArray("messages").size());
    assertFalse(older.getBoolean("hasMore"));
    assertEquals("m0", older.getJsonArray("messages").getJsonObject(0).getJsonObject("body").getString("text"));

    JsonObject newer = await(node.http().get(path + "?after=" + seqs.get(9) + "&limit=10", bob.token())).json();
    assertEquals(10, newer.getJsonArray("messages").size());
    assertTrue(newer.getBoolean("hasMore"));
    assertEquals(seqs.get(10), newer.getJsonArray("messages").getJsonObject(0).getLong("seq"));

    assertEquals(25, await(node.http().get(path + "?limit=1000", bob.token())).json().getJsonArray("messages").size(),
        "a limit above 100 is capped at 100");
    assertEquals(400, await(node.http().get(path + "?limit=0", bob.token())).status());
    alice1.close();
  }

  @Test
  void aNewDeviceRoamsTheWholeHistoryWithSync() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    ImClient alice1 = await(node.connect("tcp", alice, "a1"));
    for (int i = 0; i < 12; i++) {
      await(alice1.request(Op.SEND, send("s" + i, "to", bob.uid(), "b" + i)));
    }
    await(alice1.request(Op.SEND, send("c0", "to", carol.uid(), "hi carol")));

    JsonObject sync = await(node.http().post("/api/v1/sync", alice.token(),
        new JsonObject().put("convs", new JsonArray()).put("all", true).put("limit", 10))).json();
    JsonArray convs = sync.getJsonArray("convs");
    assertEquals(2, convs.size());
    for (int i = 0; i < convs.size(); i++) {
      JsonObject conv = convs.getJsonObject(i);
      if (conv.getString("conv").equals(Conv.p2p(alice.uid(), bob.uid()))) {
        assertEquals(10, conv.getJsonArray("messages").size());
        assertEquals(2, conv.getInteger("missing"));
        assertEquals("b11", conv.getJsonArray("messages").getJsonObject(9).getJsonObject("body").getString("text"));
      } else {
        assertEquals(1, conv.getJsonArray("messages").size());
        assertEquals(0, conv.getInteger("missing"));
      }
    }
    alice1.close();
  }

  @Test
  void badSendsAreRefusedWithTheirCodeAndTheConnectionStaysOpen() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient alice1 = await(node.connect("ws", alice, "a1"));

    assertEquals("bad_request", await(alice1.request(Op.SEND,
        new JsonObject().put("cmid", "b1").put("to", bob.uid()).put("kind", "text").put("body", new JsonObject()))).getString("code"));
    assertEquals("bad_request", await(alice1.request(Op.SEND, send("b2", "to", alice.uid(), "myself"))).getString("code"));
    assertEquals("not_found", await(alice1.request(Op.SEND, send("b3", "to", "no-such-user", "hello?"))).getString("code"));
    String strangers = Conv.p2p(bob.uid(), "zzz-" + Ids.newId());
    assertEquals("not_member", await(alice1.request(Op.SEND, send("b4", "conv", strangers, "intrude"))).getString("code"));
    assertEquals("pong", await(alice1.request(Op.PING, new JsonObject())).getString("t"));
    alice1.close();
  }

  @Test
  void aSecondLoginOfTheSameDeviceReplacesTheFirst() {
    TestNode.User alice = await(node.newUser());
    ImClient first = await(node.connect("ws", alice, "phone"));
    ImClient second = await(node.connect("tcp", alice, "phone"));
    JsonObject kicked = await(first.next(Op.KICKED));
    assertEquals("replaced", kicked.getString("reason"));
    await(first.closed());
    assertEquals("pong", await(second.request(Op.PING, new JsonObject())).getString("t"));
    second.close();
  }

  @Test
  void pastTheDeviceLimitTheOldestIsKicked() {
    TestNode.User alice = await(node.newUser());
    List<ImClient> devices = new ArrayList<>();
    for (int i = 0; i < node.config().realtime().maxDevices(); i++) {
      devices.add(await(node.connect(i % 2 == 0 ? "ws" : "tcp", alice, "d" + i)));
    }
    ImClient oneTooMany = await(node.connect("ws", alice, "extra"));
    assertEquals("device_limit", await(devices.get(0).next(Op.KICKED)).getString("reason"));
    await(devices.get(0).closed());
    assertEquals("pong", await(devices.get(1).request(Op.PING, new JsonObject())).getString("t"));
    devices.forEach(ImClient::close);
    oneTooMany.close();
  }
}
