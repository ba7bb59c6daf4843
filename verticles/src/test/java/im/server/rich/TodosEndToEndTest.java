package im.server.rich;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.server.TestNode;
import im.server.TestNode.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static im.server.TestNode.await;
import static im.server.rich.RepliesAndThreadsEndToEndTest.ack;
import static im.server.rich.RepliesAndThreadsEndToEndTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Message to-dos (docs/protocol.md §4) through a real node: the {@code todo_assigned} event over WebSocket and TCP,
 * listing newest first and by done state, every refusal, and to-dos that disappear with a recall or a departure.
 */
class TodosEndToEndTest {

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
  void aToDoReachesItsAssigneesAndEveryWrongRequestIsRefused() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User outsider = await(node.newUser());
    ImHttp http = node.http();
    String conv = RepliesAndThreadsEndToEndTest.createGroup(node, alice, bob, carol);
    ImClient aliceWs = await(node.connect("ws", alice, "a"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    long seq = ack(aliceWs, text(conv, "task", "ship the release")).getLong("seq");
    String todo = todoPath(conv, seq);

    assertEquals(204, await(http.put(todo, alice.token(), new JsonObject()
        .put("assignees", new JsonArray().add(bob.uid()).add(alice.uid())).put("dueTs", 1_900_000_000_000L))).status());
    JsonObject event = await(bobTcp.next(Op.EVENT));
    assertEquals("todo_assigned", event.getString("kind"));
    assertEquals(new JsonObject().put("conv", conv).put("seq", seq).put("by", alice.uid()), event.getJsonObject("data"));

    JsonArray bobs = todos(http, bob, "?done=false");
    assertEquals(1, bobs.size());
    JsonObject item = bobs.getJsonObject(0);
    assertEquals(conv, item.getString("conv"));
    assertEquals(seq, item.getLong("seq"));
    assertEquals("ship the release", item.getJsonObject("message").getJsonObject("body").getString("text"));
    assertEquals(alice.uid(), item.getString("assignedBy"));
    assertEquals(1_900_000_000_000L, item.getLong("dueTs"));
    assertEquals(false, item.getBoolean("done"));
    assertEquals(1, todos(http, alice, "").size(), "the setter assigned themselves too");

    // Refusals: outsiders, unknown things, non-member assignees, other members' to-dos, malformed input.
    assertEquals("not_member", await(http.put(todo, outsider.token(), new JsonObject())).errorCode());
    assertEquals(404, await(http.put(todoPath("g:nosuchgroup", 1), alice.token(), new JsonObject())).status());
    assertEquals(404, await(http.put(todoPath(conv, 999_999), alice.token(), new JsonObject())).status());
    assertEquals(400, await(http.put(todo, alice.token(), assignees(outsider.uid()))).status());
    assertEquals(400, await(http.put(todo, alice.token(), new JsonObject().put("assignees", new JsonArray()))).status());
    assertEquals(400, await(http.put(todo, alice.token(), new JsonObject().put("dueTs", -1))).status());
    assertEquals(400, await(http.put(todoPath(conv, 0), alice.token(), new JsonObject())).status());
    assertEquals("forbidden", await(http.put(todo, bob.token(), new JsonObject())).errorCode());
    assertEquals("forbidden", await(http.delete(todo, bob.token())).errorCode());
    assertEquals("not_member", await(http.delete(todo, outsider.token())).errorCode());
    assertEquals("not_member", await(http.post(todo + "/done", outsider.token(), done(true))).errorCode());
    assertEquals(404, await(http.post(todo + "/done", carol.token(), done(true))).status());
    assertEquals(400, await(http.post(todo + "/done", bob.token(), new JsonObject().put("done", "yes"))).status());
    assertEquals(400, await(http.get("/api/v1/todos?done=maybe", bob.token())).status());
    assertEquals(401, await(http.get("/api/v1/todos", null)).status());

    assertEquals(204, await(http.post(todo + "/done", bob.token(), done(true))).status());
    assertEquals(0, todos(http, bob, "?done=false").size());
    assertEquals(1, todos(http, bob, "?done=true").size());
    assertEquals(false, todos(http, alice, "").getJsonObject(0).getBoolean("done"), "done is each assignee's own");

    // Carol marks a message for herself (the default assignee): nobody is told; then Bob assigns Alice, who is.
    long second = ack(aliceWs, text(conv, "second", "write the notes")).getLong("seq");
    assertEquals(204, await(http.put(todoPath(conv, second), carol.token(), null)).status());
    assertEquals(List.of(second), seqs(todos(http, carol, "")));
    long third = ack(aliceWs, text(conv, "third", "book the room")).getLong("seq");
    assertEquals(204, await(http.put(todoPath(conv, third), bob.token(), assignees(alice.uid(), bob.uid()))).status());
    JsonObject toAlice = await(aliceWs.next(Op.EVENT));
    assertEquals(bob.uid(), toAlice.getJsonObject("data").getString("by"), "the setter is never told of their own to-do");
    assertEquals(third, toAlice.getJsonObject("data").getLong("seq"));
    assertEquals(List.of(third, seq), seqs(todos(http, bob, "")), "newest first");

    // Changing the assignees keeps those kept (with their done state) and drops the others.
    assertEquals(204, await(http.put(todo, alice.token(), assignees(bob.uid()))).status());
    assertEquals(List.of(third), seqs(todos(http, alice, "")));
    assertEquals(true, todos(http, bob, "?done=true").getJsonObject(0).getBoolean("done"));

    // A recalled message's to-do disappears; a member who leaves loses every to-do of the group.
    assertEquals("ok", await(aliceWs.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", third))).getString("t"));
    assertEquals(List.of(seq), seqs(todos(http, bob, "")));
    assertEquals(404, await(http.post(todoPath(conv, third) + "/done", bob.token(), done(true))).status());
    String groupId = conv.substring(2);
    assertEquals(204, await(http.delete("/api/v1/groups/" + groupId + "/members/" + bob.uid(), bob.token())).status());
    assertEquals(0, todos(http, bob, "").size());

    assertEquals(204, await(http.delete(todo, alice.token())).status());
    assertEquals(404, await(http.delete(todo, alice.token())).status());
    assertEquals(List.of(second), seqs(todos(http, carol, "?done=false")), "carol's own to-do is still open");
    List.of(aliceWs, bobTcp).forEach(ImClient::close);
  }

  private static String todoPath(String conv, long seq) {
    return "/api/v1/conversations/" + conv + "/messages/" + seq + "/todo";
  }

  private static JsonObject assignees(String... uids) {
    return new JsonObject().put("assignees", new JsonArray(List.of((Object[]) uids)));
  }

  private static JsonObject done(boolean done) {
    return new JsonObject().put("done", done);
  }

  private static JsonArray todos(ImHttp http, User user, String query) {
    HttpResult result = await(http.get("/api/v1/todos" + query, user.token()));
    assertEquals(200, result.status(), result.raw().toString());
    return result.json().getJsonArray("todos");
  }

  private static List<Long> seqs(JsonArray todos) {
    return todos.stream().map(t -> ((JsonObject) t).getLong("seq")).toList();
  }
}
