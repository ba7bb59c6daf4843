package im.server.rich;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.server.TestNode;
import im.server.TestNode.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replies and threads (docs/protocol.md §3 "Replies and threads", §4 thread history) through a real node, over
 * WebSocket and TCP: what {@code msg}, history, a thread's page, sync and the conversation list carry, every refusal,
 * recall of a comment and of a root, and the root's counters under concurrent commenters.
 */
class RepliesAndThreadsEndToEndTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start();
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void repliesAndCommentsTravelThroughMsgHistoryThreadsSyncAndRecall() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    String conv = createGroup(node, alice, bob, carol);
    ImHttp http = node.http();
    ImClient aliceWs = await(node.connect("ws", alice, "a"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    ImClient carolWs = await(node.connect("ws", carol, "c"));

    JsonObject root = ack(aliceWs, text(conv, "root", "what shall we do?"));
    JsonObject reply = ack(bobTcp, text(conv, "reply", "quoting you").put("replyTo", root.getLong("seq")));
    JsonObject replied = nextText(aliceWs, "quoting you");
    assertEquals(root.getLong("seq"), replied.getLong("replyTo"));
    assertFalse(replied.containsKey("thread"));
    JsonObject first = ack(carolWs, text(conv, "c1", "first comment").put("thread", root.getLong("seq")));
    JsonObject commented = nextText(bobTcp, "first comment");
    assertEquals(root.getLong("seq"), commented.getLong("thread"));
    assertFalse(commented.containsKey("replyTo"));
    JsonObject second = ack(bobTcp, text(conv, "c2", "second comment").put("thread", root.getLong("seq")));

    long rootSeq = root.getLong("seq");
    assertRefused(aliceWs, text(conv, "both", "x").put("replyTo", rootSeq).put("thread", rootSeq));
    assertRefused(bobTcp, text(conv, "zero", "x").put("replyTo", 0));
    assertRefused(aliceWs, text(conv, "text", "x").put("thread", "1"));
    assertRefused(bobTcp, text(conv, "missing", "x").put("replyTo", 999_999));
    assertRefused(aliceWs, text(conv, "nested", "x").put("thread", first.getLong("seq")));
    // A reply may quote a comment: it is posted in the conversation, not in the thread.
    JsonObject quotesComment = ack(aliceWs, text(conv, "quoteComment", "about that").put("replyTo", first.getLong("seq")));

    Map<Long, JsonObject> history = bySeq(history(http, carol, conv));
    assertEquals(2, history.get(rootSeq).getInteger("replyCount"));
    assertEquals(second.getLong("ts"), history.get(rootSeq).getLong("lastReplyTs"));
    JsonObject storedReply = history.get(reply.getLong("seq"));
    assertEquals(rootSeq, storedReply.getLong("replyTo"));
    assertEquals(0, storedReply.getInteger("replyCount"));
    assertTrue(storedReply.containsKey("lastReplyTs") && storedReply.getValue("lastReplyTs") == null);
    JsonObject storedComment = history.get(first.getLong("seq"));
    assertEquals(rootSeq, storedComment.getLong("thread"));
    assertFalse(storedComment.containsKey("replyCount"), "a comment has no thread of its own");
    assertEquals(first.getLong("seq"), history.get(quotesComment.getLong("seq")).getLong("replyTo"));

    JsonObject thread = threadPage(http, alice, conv, rootSeq, "");
    assertEquals(List.of(first.getLong("seq"), second.getLong("seq")), seqs(thread));
    assertFalse(thread.getBoolean("hasMore"));
    JsonObject firstPage = threadPage(http, alice, conv, rootSeq, "&limit=1");
    assertEquals(List.of(first.getLong("seq")), seqs(firstPage));
    assertTrue(firstPage.getBoolean("hasMore"));
    assertEquals(List.of(second.getLong("seq")), seqs(threadPage(http, alice, conv, rootSeq, "&after=" + first.getLong("seq"))));
    assertEquals(List.of(first.getLong("seq")), seqs(threadPage(http, alice, conv, rootSeq, "&before=" + second.getLong("seq"))));
    assertEquals(404, await(http.get(threadPath(conv, 999_999), alice.token())).status());
    assertEquals("bad_request", await(http.get(threadPath(conv, first.getLong("seq")), alice.token())).errorCode());

    JsonObject synced = await(http.post("/api/v1/sync", bob.token(), new JsonObject()
        .put("convs", new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 0))))).json()
        .getJsonArray("convs").getJsonObject(0);
    Map<Long, JsonObject> syncedBySeq = bySeq(synced.getJsonArray("messages"));
    assertEquals(2, syncedBySeq.get(rootSeq).getInteger("replyCount"));
    assertEquals(rootSeq, syncedBySeq.get(second.getLong("seq")).getLong("thread"));
    assertEquals(rootSeq, syncedBySeq.get(reply.getLong("seq")).getLong("replyTo"));
    JsonObject last = conversation(http, carol, conv).getJsonObject("lastMessage");
    assertEquals(first.getLong("seq"), last.getLong("replyTo"));

    // A recalled comment stays in its thread as a tombstone, and stays counted.
    assertEquals("ok", await(bobTcp.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", second.getLong("seq")))).getString("t"));
    JsonObject tombstone = bySeq(history(http, alice, conv)).get(second.getLong("seq"));
    assertTrue(tombstone.getBoolean("recalled"));
    assertEquals(rootSeq, tombstone.getLong("thread"));
    assertFalse(tombstone.containsKey("body"));
    assertEquals(2, bySeq(history(http, alice, conv)).get(rootSeq).getInteger("replyCount"));
    assertTrue(threadPage(http, alice, conv, rootSeq, "").getJsonArray("messages").getJsonObject(1).getBoolean("recalled"));
    assertRefused(aliceWs, text(conv, "quoteRecalled", "x").put("replyTo", second.getLong("seq")));

    // A recalled root keeps its thread and counters, but takes no more comments or replies.
    assertEquals("ok", await(aliceWs.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", rootSeq))).getString("t"));
    JsonObject recalledRoot = bySeq(history(http, carol, conv)).get(rootSeq);
    assertTrue(recalledRoot.getBoolean("recalled"));
    assertEquals(2, recalledRoot.getInteger("replyCount"));
    assertRefused(carolWs, text(conv, "late", "x").put("thread", rootSeq));
    assertRefused(bobTcp, text(conv, "lateReply", "x").put("replyTo", rootSeq));
    assertEquals(2, threadPage(http, carol, conv, rootSeq, "").getJsonArray("messages").size());
    List.of(aliceWs, bobTcp, carolWs).forEach(ImClient::close);
  }

  @Test
  void aRootCountsEveryCommentOfTwentyConcurrentCommenters() {
    int commenters = 20;
    int commentsEach = 3;
    User owner = await(node.newUser());
    List<User> users = new ArrayList<>();
    for (int i = 0; i < commenters; i++) {
      users.add(await(node.newUser()));
    }
    String conv = createGroup(node, owner, users.toArray(new User[0]));
    ImClient ownerWs = await(node.connect("ws", owner, "o"));
    long rootSeq = ack(ownerWs, text(conv, "root", "comment below")).getLong("seq");
    List<ImClient> clients = new ArrayList<>();
    for (int i = 0; i < commenters; i++) {
      clients.add(await(node.connect(i % 2 == 0 ? "ws" : "tcp", users.get(i), "d" + i)));
    }

    List<Future<JsonObject>> acks = new ArrayList<>();
    for (int round = 0; round < commentsEach; round++) {
      for (int i = 0; i < commenters; i++) {
        acks.add(clients.get(i).request(Op.SEND, text(conv, "c" + round, "comment " + round + " of " + i).put("thread", rootSeq)));
      }
    }
    await(Future.all(acks));
    long newest = 0;
    for (Future<JsonObject> ack : acks) {
      assertEquals("ack", ack.result().getString("t"), ack.result().encode());
      newest = Math.max(newest, ack.result().getLong("ts"));
    }

    JsonObject root = bySeq(history(node.http(), owner, conv)).get(rootSeq);
    assertEquals(commenters * commentsEach, root.getInteger("replyCount"));
    assertEquals(newest, root.getLong("lastReplyTs"));
    assertEquals(commenters * commentsEach, threadPage(node.http(), owner, conv, rootSeq, "&limit=100").getJsonArray("messages").size());
    clients.forEach(ImClient::close);
    ownerWs.close();
  }

  static String createGroup(TestNode node, User owner, User... members) {
    JsonArray uids = new JsonArray();
    for (User member : members) {
      uids.add(member.uid());
    }
    HttpResult created = await(node.http().post("/api/v1/groups", owner.token(),
        new JsonObject().put("name", "rich").put("members", uids)));
    assertEquals(201, created.status(), created.raw().toString());
    return created.json().getString("conv");
  }

  static JsonObject text(String conv, String cmid, String text) {
    return new JsonObject().put("cmid", cmid).put("conv", conv).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  static JsonObject ack(ImClient client, JsonObject send) {
    JsonObject ack = await(client.request(Op.SEND, send));
    assertEquals("ack", ack.getString("t"), ack.encode());
    return ack;
  }

  private static void assertRefused(ImClient client, JsonObject send) {
    JsonObject answer = await(client.request(Op.SEND, send));
    assertEquals("bad_request", answer.getString("code"), send.encode() + " → " + answer.encode());
  }

  /** The next {@code msg} with this text, skipping others (system messages, earlier sends). */
  private static JsonObject nextText(ImClient client, String text) {
    while (true) {
      JsonObject msg = await(client.next(Op.MSG));
      JsonObject body = msg.getJsonObject("body");
      if (body != null && text.equals(body.getString("text"))) {
        return msg;
      }
    }
  }

  static JsonArray history(ImHttp http, User user, String conv) {
    HttpResult result = await(http.get("/api/v1/conversations/" + conv + "/messages?limit=100", user.token()));
    assertEquals(200, result.status(), result.raw().toString());
    return result.json().getJsonArray("messages");
  }

  private static String threadPath(String conv, long root) {
    return "/api/v1/conversations/" + conv + "/messages?thread=" + root;
  }

  private static JsonObject threadPage(ImHttp http, User user, String conv, long root, String query) {
    HttpResult result = await(http.get(threadPath(conv, root) + query, user.token()));
    assertEquals(200, result.status(), result.raw().toString());
    return result.json();
  }

  private static JsonObject conversation(ImHttp http, User user, String conv) {
    return await(http.get("/api/v1/conversations", user.token())).json().getJsonArray("conversations").stream()
        .map(JsonObject.class::cast).filter(c -> conv.equals(c.getString("conv"))).findFirst().orElseThrow();
  }

  static Map<Long, JsonObject> bySeq(JsonArray messages) {
    return messages.stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(m -> m.getLong("seq"), Function.identity()));
  }

  private static List<Long> seqs(JsonObject page) {
    List<Long> seqs = new ArrayList<>();
    page.getJsonArray("messages").forEach(m -> seqs.add(((JsonObject) m).getLong("seq")));
    return seqs;
  }
}
