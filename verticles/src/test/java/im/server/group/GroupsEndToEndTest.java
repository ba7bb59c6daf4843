package im.server.group;

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
import java.util.stream.Collectors;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Groups over HTTP and realtime through a real node: roles, system messages, join seq, recall and read receipts. */
class GroupsEndToEndTest {

  private static TestNode node;
  /** groups.maxMembers = 3. */
  private static TestNode small;

  @BeforeAll
  static void startNodes() {
    node = TestNode.start();
    small = TestNode.start(new JsonObject().put("groups", new JsonObject().put("maxMembers", 3)));
  }

  @AfterAll
  static void stopNodes() {
    node.close();
    small.close();
  }

  static String createGroup(TestNode on, User owner, String name, User... members) {
    JsonArray uids = new JsonArray();
    for (User member : members) {
      uids.add(member.uid());
    }
    HttpResult created = await(on.http().post("/api/v1/groups", owner.token(), new JsonObject().put("name", name).put("members", uids)));
    assertEquals(201, created.status(), created.raw().toString());
    String groupId = created.json().getString("groupId");
    assertEquals("g:" + groupId, created.json().getString("conv"));
    return groupId;
  }

  static JsonObject text(String conv, String cmid, String text) {
    return new JsonObject().put("cmid", cmid).put("conv", conv).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  static JsonArray history(ImHttp http, User user, String conv) {
    HttpResult result = await(http.get("/api/v1/conversations/" + conv + "/messages?limit=100", user.token()));
    assertEquals(200, result.status(), result.raw().toString());
    return result.json().getJsonArray("messages");
  }

  private static List<String> systemEvents(JsonArray messages) {
    return messages.stream().map(JsonObject.class::cast)
        .filter(m -> "system".equals(m.getString("kind")))
        .map(m -> m.getJsonObject("body").getString("event"))
        .collect(Collectors.toList());
  }

  @Test
  void creationRolesAndRenamesAreCheckedAndWrittenAsSystemMessages() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User outsider = await(node.newUser());
    ImHttp http = node.http();
    String groupId = createGroup(node, alice, "team", bob, carol);
    String conv = "g:" + groupId;

    JsonObject group = await(http.get("/api/v1/groups/" + groupId, bob.token())).json();
    assertEquals(groupId, group.getString("groupId"));
    assertEquals(conv, group.getString("conv"));
    assertEquals("team", group.getString("name"));
    assertEquals(alice.uid(), group.getString("owner"));
    assertEquals(3, group.getJsonArray("members").size());
    assertTrue(group.getJsonArray("members").contains(new JsonObject().put("uid", carol.uid()).put("role", "member")));
    assertEquals("not_member", await(http.get("/api/v1/groups/" + groupId, outsider.token())).errorCode());
    assertEquals(404, await(http.get("/api/v1/groups/nosuchgroup", alice.token())).status());

    HttpResult unknown = await(http.post("/api/v1/groups", alice.token(),
        new JsonObject().put("name", "x").put("members", new JsonArray().add("no-such-uid"))));
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.errorCode());
    assertEquals(400, await(http.post("/api/v1/groups", alice.token(), new JsonObject().put("members", new JsonArray()))).status());

    JsonObject rename = new JsonObject().put("name", "renamed");
    assertEquals("forbidden", await(http.patch("/api/v1/groups/" + groupId, bob.token(), rename)).errorCode());
    assertEquals("not_member", await(http.patch("/api/v1/groups/" + groupId, outsider.token(), rename)).errorCode());
    assertEquals(204, await(http.patch("/api/v1/groups/" + groupId, alice.token(), rename)).status());
    assertEquals("forbidden", await(http.put("/api/v1/groups/" + groupId + "/admins/" + bob.uid(), carol.token(), null)).errorCode());
    assertEquals(204, await(http.put("/api/v1/groups/" + groupId + "/admins/" + bob.uid(), alice.token(), null)).status());
    assertEquals(204, await(http.patch("/api/v1/groups/" + groupId, bob.token(), new JsonObject().put("name", "by bob"))).status());
    assertEquals("forbidden", await(http.delete("/api/v1/groups/" + groupId + "/admins/" + bob.uid(), bob.token())).errorCode());
    assertEquals(204, await(http.delete("/api/v1/groups/" + groupId + "/admins/" + bob.uid(), alice.token())).status());
    assertEquals("forbidden", await(http.patch("/api/v1/groups/" + groupId, bob.token(), rename)).errorCode());

    JsonArray messages = history(http, carol, conv);
    assertEquals(List.of("group_created", "group_renamed", "admin_added", "group_renamed", "admin_removed"), systemEvents(messages));
    long previous = 0;
    for (Object item : messages) {
      JsonObject message = (JsonObject) item;
      assertTrue(message.getLong("seq") > previous, "system messages have increasing seqs");
      previous = message.getLong("seq");
      assertEquals(alice.uid().equals(message.getString("from")) || bob.uid().equals(message.getString("from")), true);
    }
    JsonObject created = messages.getJsonObject(0).getJsonObject("body");
    assertEquals(alice.uid(), created.getString("by"));
    assertEquals("team", created.getString("name"));
    assertEquals("by bob", messages.getJsonObject(3).getJsonObject("body").getString("name"));
    assertEquals(bob.uid(), messages.getJsonObject(3).getJsonObject("body").getString("by"));

    JsonObject listed = await(http.get("/api/v1/conversations", carol.token())).json().getJsonArray("conversations")
        .stream().map(JsonObject.class::cast).filter(c -> conv.equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals("group", listed.getString("type"));
    assertEquals("by bob", listed.getString("name"));
    assertEquals(groupId, listed.getString("groupId"));
    assertEquals(5, listed.getLong("unread"));
    assertEquals(previous, listed.getJsonObject("lastMessage").getLong("seq"));
  }

  @Test
  void aNewMemberReadsOnlyAboveTheMessageThatAddedThemAndARemovedOneNothing() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User outsider = await(node.newUser());
    ImHttp http = node.http();
    String groupId = createGroup(node, alice, "history", bob);
    String conv = "g:" + groupId;
    ImClient aliceWs = await(node.connect("ws", alice, "a"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    ImClient carolTcp = await(node.connect("tcp", carol, "c"));
    ImClient outsiderWs = await(node.connect("ws", outsider, "o"));

    JsonObject before = await(aliceWs.request(Op.SEND, text(conv, "before", "before carol")));
    assertEquals("ack", before.getString("t"));
    assertEquals("before carol", await(bobTcp.next(Op.MSG)).getJsonObject("body").getString("text"));
    assertEquals("not_member", await(outsiderWs.request(Op.SEND, text(conv, "x", "let me in"))).getString("code"));
    assertEquals("not_member", await(carolTcp.request(Op.SEND, text(conv, "x", "not yet"))).getString("code"));

    assertEquals(204, await(http.post("/api/v1/groups/" + groupId + "/members", alice.token(),
        new JsonObject().put("uids", new JsonArray().add(carol.uid())))).status());
    JsonObject joined = await(carolTcp.next(Op.EVENT));
    assertEquals("group_joined", joined.getString("kind"));
    assertEquals(groupId, joined.getJsonObject("data").getString("groupId"));
    assertEquals(conv, joined.getJsonObject("data").getString("conv"));
    assertEquals("history", joined.getJsonObject("data").getString("name"));
    JsonObject added = await(bobTcp.next(Op.MSG));
    assertEquals("system", added.getString("kind"));
    assertEquals("member_added", added.getJsonObject("body").getString("event"));
    assertEquals(new JsonArray().add(carol.uid()), added.getJsonObject("body").getJsonArray("uids"));
    assertTrue(added.getLong("seq") > before.getLong("seq"));
    assertTrue(history(http, carol, conv).isEmpty(), "nothing at or below the join seq");

    JsonObject after = await(aliceWs.request(Op.SEND, text(conv, "after", "welcome")));
    assertEquals("welcome", await(carolTcp.next(Op.MSG)).getJsonObject("body").getString("text"));
    JsonArray carolSees = history(http, carol, conv);
    assertEquals(1, carolSees.size());
    assertEquals(after.getLong("seq"), carolSees.getJsonObject(0).getLong("seq"));
    JsonObject sync = await(http.post("/api/v1/sync", carol.token(), new JsonObject().put("all", true))).json();
    JsonObject synced = sync.getJsonArray("convs").stream().map(JsonObject.class::cast)
        .filter(c -> conv.equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals(1, synced.getJsonArray("messages").size());
    assertEquals(1, synced.getLong("unread"));
    JsonObject carolsReply = await(carolTcp.request(Op.SEND, text(conv, "hi", "thanks")));
    assertEquals("ack", carolsReply.getString("t"));

    assertEquals("forbidden", await(http.delete("/api/v1/groups/" + groupId + "/members/" + bob.uid(), carol.token())).errorCode());
    assertEquals(204, await(http.delete("/api/v1/groups/" + groupId + "/members/" + bob.uid(), alice.token())).status());
    JsonObject left = await(bobTcp.next(Op.EVENT));
    assertEquals("group_left", left.getString("kind"));
    assertEquals(conv, left.getJsonObject("data").getString("conv"));
    assertEquals("not_member", await(bobTcp.request(Op.SEND, text(conv, "late", "still here?"))).getString("code"));
    assertEquals("not_member", await(http.get("/api/v1/conversations/" + conv + "/messages", bob.token())).errorCode());
    assertEquals(404, await(http.delete("/api/v1/groups/" + groupId + "/members/" + bob.uid(), alice.token())).status());
    List.of(aliceWs, bobTcp, carolTcp, outsiderWs).forEach(ImClient::close);
  }

  @Test
  void anOwnerWhoLeavesHandsTheGroupToTheOldestAdmin() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    ImHttp http = node.http();
    String groupId = createGroup(node, alice, "handover", bob, carol);
    assertEquals(204, await(http.put("/api/v1/groups/" + groupId + "/admins/" + carol.uid(), alice.token(), null)).status());
    assertEquals("forbidden", await(http.delete("/api/v1/groups/" + groupId + "/members/" + alice.uid(), carol.token())).errorCode());
    assertEquals(204, await(http.delete("/api/v1/groups/" + groupId + "/members/" + alice.uid(), alice.token())).status());

    JsonObject group = await(http.get("/api/v1/groups/" + groupId, carol.token())).json();
    assertEquals(carol.uid(), group.getString("owner"));
    assertEquals(2, group.getJsonArray("members").size());
    JsonArray messages = history(http, bob, "g:" + groupId);
    JsonObject leftBody = messages.getJsonObject(messages.size() - 1).getJsonObject("body");
    assertEquals("member_left", leftBody.getString("event"));
    assertEquals(carol.uid(), leftBody.getString("newOwner"));
    assertEquals(204, await(http.delete("/api/v1/groups/" + groupId + "/members/" + bob.uid(), bob.token())).status());
    assertEquals(List.of("group_created", "admin_added", "member_left", "member_left"), systemEvents(history(http, carol, "g:" + groupId)));
  }

  @Test
  void moreMembersThanTheLimitIsAConflict() {
    User alice = await(small.newUser());
    User bob = await(small.newUser());
    User carol = await(small.newUser());
    User dave = await(small.newUser());
    HttpResult tooMany = await(small.http().post("/api/v1/groups", alice.token(), new JsonObject().put("name", "big")
        .put("members", new JsonArray().add(bob.uid()).add(carol.uid()).add(dave.uid()))));
    assertEquals(409, tooMany.status());
    assertEquals("conflict", tooMany.errorCode());
    String groupId = createGroup(small, alice, "full", bob, carol);
    HttpResult over = await(small.http().post("/api/v1/groups/" + groupId + "/members", alice.token(),
        new JsonObject().put("uids", new JsonArray().add(dave.uid()))));
    assertEquals(409, over.status());
    assertEquals(204, await(small.http().delete("/api/v1/groups/" + groupId + "/members/" + carol.uid(), carol.token())).status());
    assertEquals(204, await(small.http().post("/api/v1/groups/" + groupId + "/members", alice.token(),
        new JsonObject().put("uids", new JsonArray().add(dave.uid())))).status());
  }

  @Test
  void anAdminRecallsAnyMessageAndEveryMemberIsTold() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    String groupId = createGroup(node, alice, "recall", bob, carol);
    String conv = "g:" + groupId;
    assertEquals(204, await(node.http().put("/api/v1/groups/" + groupId + "/admins/" + carol.uid(), alice.token(), null)).status());
    ImClient bobWs = await(node.connect("ws", bob, "b"));
    ImClient carolTcp = await(node.connect("tcp", carol, "c"));
    ImClient aliceWs = await(node.connect("ws", alice, "a"));

    long seq = await(bobWs.request(Op.SEND, text(conv, "r1", "oops"))).getLong("seq");
    assertEquals(seq, await(aliceWs.next(Op.MSG)).getLong("seq"));
    long aliceSeq = await(aliceWs.request(Op.SEND, text(conv, "r2", "mine"))).getLong("seq");
    assertEquals("forbidden", await(bobWs.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", aliceSeq))).getString("code"));
    assertEquals("forbidden", await(bobWs.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", 1))).getString("code"),
        "system messages cannot be recalled");
    assertEquals("ok", await(carolTcp.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", seq))).getString("t"));
    for (ImClient member : List.of(bobWs, aliceWs)) {
      JsonObject recalled = await(member.next(Op.RECALLED));
      assertEquals(seq, recalled.getLong("seq"));
      assertEquals(carol.uid(), recalled.getString("by"));
    }
    JsonObject stored = history(node.http(), alice, conv).stream().map(JsonObject.class::cast)
        .filter(m -> m.getLong("seq") == seq).findFirst().orElseThrow();
    assertEquals(true, stored.getBoolean("recalled"));
    List.of(bobWs, carolTcp, aliceWs).forEach(ImClient::close);
  }

  @Test
  void aGroupReadIsToldToTheReadersDevicesAndTheSendersReadNotToEveryMember() {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    User carol = await(node.newUser());
    User erin = await(node.newUser());
    String conv = "g:" + createGroup(node, alice, "reads", bob, carol, erin);
    ImClient aliceWs = await(node.connect("ws", alice, "a"));
    ImClient bobTcp = await(node.connect("tcp", bob, "b"));
    ImClient carol1 = await(node.connect("ws", carol, "c1"));
    ImClient carol2 = await(node.connect("tcp", carol, "c2"));
    ImClient erinWs = await(node.connect("ws", erin, "e"));

    await(aliceWs.request(Op.SEND, text(conv, "m1", "one")));
    long last = await(aliceWs.request(Op.SEND, text(conv, "m2", "two"))).getLong("seq");
    for (int i = 0; i < 2; i++) {
      await(erinWs.next(Op.MSG));
      await(bobTcp.next(Op.MSG));
      await(carol2.next(Op.MSG));
    }
    assertEquals("ok", await(carol1.request(Op.READ, new JsonObject().put("conv", conv).put("seq", last))).getString("t"));
    for (ImClient told : List.of(aliceWs, carol2)) {
      JsonObject read = await(told.next(Op.READ));
      assertEquals(carol.uid(), read.getString("uid"));
      assertEquals(last, read.getLong("seq"));
    }
    // erin and bob sent nothing carol read: a message sent after the read is the next thing they get.
    long marker = await(aliceWs.request(Op.SEND, text(conv, "m3", "marker"))).getLong("seq");
    assertEquals(marker, await(erinWs.next(Op.MSG)).getLong("seq"));
    assertTrue(erinWs.received().stream().noneMatch(f -> "read".equals(f.getString("t"))), "no read for non-senders");
    assertEquals(marker, await(bobTcp.next(Op.MSG)).getLong("seq"));
    assertTrue(bobTcp.received().stream().noneMatch(f -> "read".equals(f.getString("t"))));
    JsonObject listed = await(node.http().get("/api/v1/conversations", carol.token())).json().getJsonArray("conversations")
        .stream().map(JsonObject.class::cast).filter(c -> conv.equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals(last, listed.getLong("readSeq"));
    assertEquals(1, listed.getLong("unread"));
    assertNotNull(listed.getJsonObject("lastMessage"));
    List.of(aliceWs, bobTcp, carol1, carol2, erinWs).forEach(ImClient::close);
  }
}
