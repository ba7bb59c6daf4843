package im.server.push;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.shared.Ids;
import im.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Offline push through a real node to a real webhook receiver (docs/protocol.md §4, Offline push and mute). The node
 * runs one message instance and one POST at a time, so every push leaves in the order its message was fanned out:
 * once the push of a later message has arrived, a push that should not exist for an earlier one would have arrived
 * before it. That is how the tests show that no push was sent, without waiting for time to pass.
 */
class PushEndToEndTest {

  private static final String SECRET = "push-secret-for-tests";

  private static WebhookReceiver receiver;
  private static TestNode node;

  @BeforeAll
  static void start() {
    receiver = WebhookReceiver.listen();
    node = TestNode.start(new JsonObject()
        .put("messages", new JsonObject().put("instances", 1))
        .put("push", new JsonObject()
            .put("webhookUrl", receiver.url())
            .put("webhookSecret", SECRET)
            .put("maxInFlight", 1)
            .put("timeoutMs", 500)
            .put("firstRetryMs", 100)
            .put("maxBackoffMs", 400)));
  }

  @AfterAll
  static void stop() {
    node.close();
    receiver.close();
  }

  @Test
  void aMemberWithoutAConnectionGetsOneSignedPushEvenWithinThePresenceGracePeriod() throws Exception {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    ImClient bobWs = await(node.connect("ws", bob, "phone"));
    bobWs.close();
    await(Poll.until(node.clientVertx(), () -> node.node().routes().lookup(List.of(bob.uid())).map(Map::isEmpty)));

    String text = "hello bob " + "x".repeat(120);
    JsonObject ack = await(aliceWs.request(Op.SEND, text("to", bob.uid(), text)));
    WebhookReceiver.Post post = await(receiver.next(p -> ack.getString("mid").equals(p.json().getString("mid"))));

    JsonObject push = post.json();
    assertEquals(Set.of("uid", "conv", "seq", "mid", "from", "kind", "preview", "badge", "ts"), push.fieldNames());
    assertEquals(bob.uid(), push.getString("uid"));
    assertEquals(Conv.p2p(alice.uid(), bob.uid()), push.getString("conv"));
    assertEquals(ack.getLong("seq"), push.getLong("seq"));
    assertEquals(alice.uid(), push.getString("from"));
    assertEquals("text", push.getString("kind"));
    assertEquals(text.substring(0, 100), push.getString("preview"));
    assertEquals(1L, push.getLong("badge"));
    assertEquals(ack.getLong("ts"), push.getLong("ts"));
    assertEquals("sha256=" + hmacHex(post.raw()), post.signature());
    assertTrue(post.contentType().startsWith("application/json"), post.contentType());
    assertEquals(1, receiver.posts().stream().filter(p -> ack.getString("mid").equals(p.json().getString("mid"))).count(),
        "one push per recipient, none for the sender");
    aliceWs.close();
  }

  @Test
  void anOnlineMemberGetsNoPushAndAnOfflineOneOfTheSameGroupDoes() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User erin = await(node.newUser());
    String conv = createGroup(alice, bob, erin);
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    ImClient bobTcp = await(node.connect("tcp", bob, "desktop"));

    JsonObject first = await(aliceWs.request(Op.SEND, text("conv", conv, "first")));
    JsonObject second = await(aliceWs.request(Op.SEND, text("conv", conv, "second")));
    assertEquals(first.getString("mid"), await(bobTcp.next(Op.MSG)).getString("mid"));
    await(receiver.next(p -> erin.uid().equals(p.json().getString("uid")) && second.getString("mid").equals(p.json().getString("mid"))));

    assertEquals(List.of(), pushesOf(bob.uid()), "bob had a connection open");
    assertEquals(List.of(), pushesOf(alice.uid()), "the sender is never pushed");
    assertEquals(List.of(first.getString("mid"), second.getString("mid")),
        pushesOf(erin.uid()).stream().map(p -> p.json().getString("mid")).toList(),
        "erin had no connection; the group's system messages push nothing");
    aliceWs.close();
    bobTcp.close();
  }

  @Test
  void aMutedConversationPushesNothingButItsUnreadCountsInTheBadge() {
    TestNode.User carol = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User dave = await(node.newUser());
    TestNode.User alice = await(node.newUser());
    String group = createGroup(carol, bob, dave);
    assertEquals(204, await(node.http().put("/api/v1/conversations/" + group + "/mute", bob.token(),
        new JsonObject().put("muted", true))).status());
    ImClient carolWs = await(node.connect("ws", carol, "phone"));
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));

    await(carolWs.request(Op.SEND, text("conv", group, "one")));
    JsonObject two = await(carolWs.request(Op.SEND, text("conv", group, "two")));
    await(receiver.next(p -> dave.uid().equals(p.json().getString("uid")) && two.getString("mid").equals(p.json().getString("mid"))));
    assertEquals(List.of(), pushesOf(bob.uid()), "bob muted the group");

    JsonObject direct = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "are you there?")));
    WebhookReceiver.Post push = await(receiver.next(p -> direct.getString("mid").equals(p.json().getString("mid"))));
    JsonArray conversations = await(node.http().get("/api/v1/conversations", bob.token())).json().getJsonArray("conversations");
    long unread = conversations.stream().mapToLong(c -> ((JsonObject) c).getLong("unread")).sum();
    assertTrue(unread >= 3, "two in the muted group, one direct: " + conversations.encode());
    assertEquals(unread, push.json().getLong("badge"), "badge = total unread, muted conversations included");
    JsonObject mutedItem = conversations.stream().map(JsonObject.class::cast)
        .filter(c -> group.equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals(true, mutedItem.getBoolean("muted"));
    JsonObject directItem = conversations.stream().map(JsonObject.class::cast)
        .filter(c -> direct.getString("conv").equals(c.getString("conv"))).findFirst().orElseThrow();
    assertEquals(false, directItem.getBoolean("muted"));

    assertEquals(204, await(node.http().put("/api/v1/conversations/" + group + "/mute", bob.token(),
        new JsonObject().put("muted", false))).status());
    JsonObject three = await(carolWs.request(Op.SEND, text("conv", group, "three")));
    await(receiver.next(p -> bob.uid().equals(p.json().getString("uid")) && three.getString("mid").equals(p.json().getString("mid"))));
    carolWs.close();
    aliceWs.close();
  }

  @Test
  void roomMessagesPushNothing() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    String room = await(node.http().post("/api/v1/rooms", alice.token(), new JsonObject().put("name", "lobby")))
        .json().getString("conv");
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    await(aliceWs.request(Op.JOIN, new JsonObject().put("conv", room)));
    await(aliceWs.request(Op.SEND, text("conv", room, "anyone?")));
    JsonObject fence = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "after the room")));
    await(receiver.next(p -> fence.getString("mid").equals(p.json().getString("mid"))));
    assertTrue(receiver.posts().stream().noneMatch(p -> room.equals(p.json().getString("conv"))));
    aliceWs.close();
  }

  @Test
  void aWebhookThatFailsTwiceThenRecoversGetsThePush() {
    TestNode.User alice = await(node.newUser());
    TestNode.User frank = await(node.newUser());
    receiver.answer(json -> frank.uid().equals(json.getString("uid")), 500, 2);
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    long retriedBefore = metric("im_push_retried_total");
    long deliveredBefore = metric("im_push_delivered_total");

    JsonObject ack = await(aliceWs.request(Op.SEND, text("to", frank.uid(), "third time lucky")));
    WebhookReceiver.Post delivered = await(receiver.next(p -> ack.getString("mid").equals(p.json().getString("mid"))));

    List<WebhookReceiver.Post> attempts = pushesOf(frank.uid());
    assertEquals(List.of(500, 500, 200), attempts.stream().map(WebhookReceiver.Post::answered).toList());
    assertTrue(attempts.stream().allMatch(p -> p.raw().equals(delivered.raw())), "the same body every time");
    assertTrue(metric("im_push_retried_total") >= retriedBefore + 2);
    assertTrue(metric("im_push_delivered_total") >= deliveredBefore + 1);
    aliceWs.close();
  }

  @Test
  void aWebhookThatDoesNotAnswerInTimeIsRetried() {
    TestNode.User alice = await(node.newUser());
    TestNode.User gina = await(node.newUser());
    receiver.answer(json -> gina.uid().equals(json.getString("uid")), 0, 1);
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));

    JsonObject ack = await(aliceWs.request(Op.SEND, text("to", gina.uid(), "slow gateway")));
    await(receiver.next(p -> ack.getString("mid").equals(p.json().getString("mid"))));
    assertEquals(List.of(0, 200), pushesOf(gina.uid()).stream().map(WebhookReceiver.Post::answered).toList());
    aliceWs.close();
  }

  @Test
  void muteIsForMembersOnly() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User outsider = await(node.newUser());
    String group = createGroup(alice, bob);
    String p2p = Conv.p2p(alice.uid(), bob.uid());
    JsonObject mute = new JsonObject().put("muted", true);

    assertEquals("not_member", await(node.http().put("/api/v1/conversations/" + group + "/mute", outsider.token(), mute)).errorCode());
    assertEquals(403, await(node.http().put("/api/v1/conversations/" + group + "/mute", outsider.token(), mute)).status());
    assertEquals(404, await(node.http().put("/api/v1/conversations/" + p2p + "/mute", outsider.token(), mute)).status());
    assertEquals(404, await(node.http().put("/api/v1/conversations/" + p2p + "/mute", alice.token(), mute)).status(),
        "no message yet: the one-to-one conversation does not exist");
    assertEquals(404, await(node.http().put("/api/v1/conversations/g:" + Ids.newId() + "/mute", alice.token(), mute)).status());
    assertEquals(400, await(node.http().put("/api/v1/conversations/" + group + "/mute", alice.token(),
        new JsonObject().put("muted", "yes"))).status());
    assertEquals(401, await(node.http().put("/api/v1/conversations/" + group + "/mute", null, mute)).status());
    assertEquals(204, await(node.http().put("/api/v1/conversations/" + group + "/mute", alice.token(), mute)).status());
    assertEquals(204, await(node.http().put("/api/v1/conversations/" + group + "/mute", alice.token(), mute)).status(),
        "muting twice is no error");
  }

  private static String createGroup(TestNode.User owner, TestNode.User... members) {
    JsonArray uids = new JsonArray();
    for (TestNode.User member : members) {
      uids.add(member.uid());
    }
    HttpResult created = await(node.http().post("/api/v1/groups", owner.token(),
        new JsonObject().put("name", "push test").put("members", uids)));
    assertEquals(201, created.status(), created.raw().toString());
    return created.json().getString("conv");
  }

  private static JsonObject text(String targetField, String target, String text) {
    return new JsonObject().put("cmid", Ids.newId()).put(targetField, target).put("kind", "text")
        .put("body", new JsonObject().put("text", text));
  }

  private static List<WebhookReceiver.Post> pushesOf(String uid) {
    return receiver.posts().stream().filter(p -> uid.equals(p.json().getString("uid"))).toList();
  }

  private static long metric(String name) {
    String text = await(node.http().get("/metrics", null)).raw().toString();
    Matcher matcher = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    assertTrue(matcher.find(), name + " in /metrics");
    return (long) Double.parseDouble(matcher.group(1));
  }

  private static String hmacHex(String raw) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(raw.getBytes(StandardCharsets.UTF_8)));
  }
}
