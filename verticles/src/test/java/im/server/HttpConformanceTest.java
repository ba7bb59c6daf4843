package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Conformance of the HTTP API (docs/protocol.md §4): statuses, bodies and error shapes. */
class HttpConformanceTest extends ConformanceBase {

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
    Set<String> common = Set.of("conv", "type", "name", "maxSeq", "readSeq", "unread", "muted", "lastMessage", "updatedAt");
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
    assertEquals(Set.of("conv", "seq", "mid", "from", "device", "cmid", "kind", "body", "ts", "replyCount", "lastReplyTs"),
        first.fieldNames(), "a message that is not a comment carries its thread's counters");
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
        "im_messages_delivered", "im_ack_latency_seconds_bucket", "vertx_eventbus_", "vertx_pool_",
        "jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
        "process_files_open_files")) {
      assertTrue(text.contains(meter), "metrics name " + meter);
    }
  }
}
