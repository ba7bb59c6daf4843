package im.server.events;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.server.TopicReader;
import im.shared.Ids;
import im.shared.events.EventPublisher;
import im.testing.KafkaBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The domain event stream through a real node and a real Kafka broker (docs/events.md): every event type arrives on
 * im.events once, with its envelope and fields, keyed by conversation, user pair or user, in the order it happened.
 * Each test waits for its last event; the events before it share its key, hence its partition, so they were read
 * before it if they were published at all.
 */
class EventStreamTest {

  private static TestNode node;
  private static TopicReader events;
  private static TopicReader pushes;

  @BeforeAll
  static void start() {
    String bootstrap = KafkaBroker.shared().bootstrap();
    node = TestNode.start(new JsonObject()
        .put("kafka", new JsonObject().put("bootstrap", bootstrap))
        .put("presence", new JsonObject().put("graceMs", 0).put("minIntervalMs", 0)));
    events = new TopicReader(bootstrap, EventPublisher.EVENTS_TOPIC);
    pushes = new TopicReader(bootstrap, EventPublisher.PUSH_TOPIC);
  }

  @AfterAll
  static void stop() {
    events.close();
    pushes.close();
    node.close();
  }

  @Test
  void aConversationsMessagesRecallAndReadArriveInOrderKeyedByTheConversation() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    String conv = Conv.p2p(alice.uid(), bob.uid());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));

    JsonObject first = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "one")));
    JsonObject second = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "two")));
    await(aliceWs.request(Op.RECALL, new JsonObject().put("conv", conv).put("seq", second.getLong("seq"))));
    assertEquals(204, await(node.http().post("/api/v1/conversations/" + conv + "/read", bob.token(),
        new JsonObject().put("seq", second.getLong("seq")))).status());
    events.next(r -> r.value().getString("type").equals("conversation.read") && conv.equals(r.key()));

    List<TopicReader.Read> stream = events.all(r -> conv.equals(r.key()));
    assertEquals(List.of("message.stored", "message.stored", "message.recalled", "conversation.read"), types(stream));
    assertInOrder(stream);
    JsonObject stored = stream.get(0).value();
    assertEquals(Set.of("type", "id", "ts", "conv", "seq", "mid", "from", "device", "cmid", "kind", "body"), stored.fieldNames());
    assertEquals(first.getString("mid"), stored.getString("mid"));
    assertEquals(first.getLong("seq"), stored.getLong("seq"));
    assertEquals(first.getLong("ts"), stored.getLong("ts"));
    assertEquals(alice.uid(), stored.getString("from"));
    assertEquals("phone", stored.getString("device"));
    assertEquals(new JsonObject().put("text", "one"), stored.getJsonObject("body"));
    assertEquals(second.getString("mid"), stream.get(1).value().getString("mid"));
    assertEquals(new JsonObject().put("conv", conv).put("seq", second.getLong("seq")).put("by", alice.uid()),
        fields(stream.get(2)));
    assertEquals(new JsonObject().put("conv", conv).put("uid", bob.uid()).put("seq", second.getLong("seq")),
        fields(stream.get(3)));
    assertEquals(4, new HashSet<>(stream.stream().map(r -> r.value().getString("id")).toList()).size(), "unique ids");
    aliceWs.close();
  }

  @Test
  void withoutAWebhookAnOfflineRecipientsPushStillGoesToItsTopic() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));

    JsonObject ack = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "no webhook here")));
    TopicReader.Read push = pushes.next(r -> ack.getString("mid").equals(r.value().getString("mid")));

    assertEquals(bob.uid(), push.key());
    assertEquals(new JsonObject().put("uid", bob.uid()).put("conv", ack.getString("conv")).put("seq", ack.getLong("seq"))
        .put("mid", ack.getString("mid")).put("from", alice.uid()).put("kind", "text").put("preview", "no webhook here")
        .put("badge", 1L).put("ts", ack.getLong("ts")), push.value());
    aliceWs.close();
  }

  @Test
  void friendshipAndBlocksOfAPairArriveInOrderKeyedByThePair() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    String pair = Conv.p2p(alice.uid(), bob.uid());

    String rejected = ok(node.http().post("/api/v1/friends/requests", alice.token(),
        new JsonObject().put("to", bob.uid()).put("message", "hi"))).json().getString("requestId");
    ok(node.http().post("/api/v1/friends/requests/" + rejected + "/reject", bob.token(), null));
    String accepted = ok(node.http().post("/api/v1/friends/requests", alice.token(),
        new JsonObject().put("to", bob.uid()))).json().getString("requestId");
    ok(node.http().post("/api/v1/friends/requests/" + accepted + "/accept", bob.token(), null));
    ok(node.http().delete("/api/v1/friends/" + alice.uid(), bob.token()));
    ok(node.http().put("/api/v1/blocks/" + bob.uid(), alice.token(), null));
    ok(node.http().put("/api/v1/blocks/" + bob.uid(), alice.token(), null));
    ok(node.http().delete("/api/v1/blocks/" + bob.uid(), alice.token()));
    events.next(r -> r.value().getString("type").equals("user.unblocked") && pair.equals(r.key()));

    List<TopicReader.Read> stream = events.all(r -> pair.equals(r.key()) && !r.value().getString("type").startsWith("message."));
    assertEquals(List.of("friend.requested", "friend.rejected", "friend.requested", "friend.accepted", "friend.removed",
        "user.blocked", "user.unblocked"), types(stream), "a repeated block is no event");
    assertInOrder(stream);
    assertEquals(new JsonObject().put("requestId", rejected).put("from", alice.uid()).put("to", bob.uid()).put("message", "hi"),
        fields(stream.get(0)));
    assertEquals(new JsonObject().put("requestId", rejected).put("uid", bob.uid()).put("requester", alice.uid()),
        fields(stream.get(1)));
    assertEquals(new JsonObject().put("requestId", accepted).put("uid", bob.uid()).put("requester", alice.uid())
        .put("conv", pair), fields(stream.get(3)));
    assertEquals(new JsonObject().put("uid", bob.uid()).put("friend", alice.uid()), fields(stream.get(4)));
    assertEquals(new JsonObject().put("uid", alice.uid()).put("other", bob.uid()), fields(stream.get(5)));
    assertEquals(new JsonObject().put("uid", alice.uid()).put("other", bob.uid()), fields(stream.get(6)));
  }

  @Test
  void everyGroupChangeFollowsTheSystemMessageThatRecordsIt() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    TestNode.User dave = await(node.newUser());
    HttpResult created = ok(node.http().post("/api/v1/groups", alice.token(), new JsonObject().put("name", "team")
        .put("members", new JsonArray().add(bob.uid()).add(carol.uid()))));
    String conv = created.json().getString("conv");
    String group = "/api/v1/groups/" + conv.substring(2);
    ok(node.http().patch(group, alice.token(), new JsonObject().put("name", "crew")));
    ok(node.http().post(group + "/members", alice.token(), new JsonObject().put("uids", new JsonArray().add(dave.uid()))));
    ok(node.http().put(group + "/admins/" + bob.uid(), alice.token(), null));
    ok(node.http().delete(group + "/members/" + carol.uid(), bob.token()));
    ok(node.http().delete(group + "/admins/" + bob.uid(), alice.token()));
    ok(node.http().delete(group + "/members/" + alice.uid(), alice.token()));
    events.next(r -> r.value().getString("type").equals("group.owner_changed") && conv.equals(r.key()));

    List<TopicReader.Read> stream = events.all(r -> conv.equals(r.key()));
    assertEquals(List.of(
        "message.stored", "group.created",
        "message.stored", "group.renamed",
        "message.stored", "group.members_added",
        "message.stored", "group.admin_added",
        "message.stored", "group.member_removed",
        "message.stored", "group.admin_removed",
        "message.stored", "group.member_left", "group.owner_changed"), types(stream));
    assertInOrder(stream);
    assertEquals("system", stream.get(0).value().getString("kind"));
    assertEquals(stream.get(0).value().getLong("ts"), stream.get(1).value().getLong("ts"), "the change's time is its message's");
    assertEquals(new JsonObject().put("conv", conv).put("by", alice.uid()).put("name", "team")
        .put("uids", new JsonArray().add(alice.uid()).add(bob.uid()).add(carol.uid())), fields(stream.get(1)));
    assertEquals(new JsonObject().put("conv", conv).put("by", alice.uid()).put("name", "crew"), fields(stream.get(3)));
    assertEquals(new JsonObject().put("conv", conv).put("by", alice.uid()).put("uids", new JsonArray().add(dave.uid())),
        fields(stream.get(5)));
    assertEquals(new JsonObject().put("conv", conv).put("by", alice.uid()).put("uid", bob.uid()), fields(stream.get(7)));
    assertEquals(new JsonObject().put("conv", conv).put("by", bob.uid()).put("uid", carol.uid()), fields(stream.get(9)));
    assertEquals(new JsonObject().put("conv", conv).put("by", alice.uid()).put("uid", bob.uid()), fields(stream.get(11)));
    assertEquals(new JsonObject().put("conv", conv).put("uid", alice.uid()), fields(stream.get(13)));
    assertEquals(new JsonObject().put("conv", conv).put("owner", bob.uid()).put("previous", alice.uid()), fields(stream.get(14)));
  }

  @Test
  void aUserGoingOnlineAndOfflineArrivesInOrderKeyedByTheUser() {
    TestNode.User erin = await(node.newUser());
    ImClient erinWs = await(node.connect("ws", erin, "phone"));
    events.next(r -> erin.uid().equals(r.key()) && "online".equals(r.value().getString("status")));
    erinWs.close();
    events.next(r -> erin.uid().equals(r.key()) && "offline".equals(r.value().getString("status")));

    List<TopicReader.Read> stream = events.all(r -> erin.uid().equals(r.key()));
    assertEquals(List.of("presence.changed", "presence.changed"), types(stream));
    assertEquals(List.of("online", "offline"), stream.stream().map(r -> r.value().getString("status")).toList());
    assertInOrder(stream);
    assertEquals(Set.of("type", "id", "ts", "uid", "status", "lastSeen"), stream.get(1).value().fieldNames());
  }

  private static HttpResult ok(io.vertx.core.Future<HttpResult> request) {
    HttpResult result = await(request);
    assertTrue(result.status() / 100 == 2, result.status() + " " + result.raw());
    return result;
  }

  private static List<String> types(List<TopicReader.Read> stream) {
    return stream.stream().map(r -> r.value().getString("type")).toList();
  }

  /** One partition per key, offsets increasing: the order consumers see is the order published. */
  private static void assertInOrder(List<TopicReader.Read> stream) {
    for (int i = 1; i < stream.size(); i++) {
      assertEquals(stream.get(0).partition(), stream.get(i).partition());
      assertTrue(stream.get(i).offset() > stream.get(i - 1).offset(), stream.toString());
    }
  }

  private static JsonObject fields(TopicReader.Read read) {
    JsonObject fields = read.value().copy();
    fields.remove("type");
    fields.remove("id");
    fields.remove("ts");
    return fields;
  }

  private static JsonObject text(String targetField, String target, String text) {
    return new JsonObject().put("cmid", Ids.newId()).put(targetField, target).put("kind", "text")
        .put("body", new JsonObject().put("text", text));
  }
}
