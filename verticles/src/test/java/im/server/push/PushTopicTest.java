package im.server.push;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.server.TopicReader;
import im.shared.Ids;
import im.shared.events.EventPublisher;
import im.testing.KafkaBroker;
import im.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Offline pushes on topic im.push beside the webhook (docs/protocol.md §4, Offline push; docs/events.md): the same
 * JSON object, keyed by the recipient's uid. A recipient's pushes share a key, hence a partition: once the push of a
 * later message has been read, a push that should not exist for an earlier one would have been read before it.
 */
class PushTopicTest {

  private static WebhookReceiver receiver;
  private static TestNode node;
  private static TopicReader pushes;

  @BeforeAll
  static void start() {
    String bootstrap = KafkaBroker.shared().bootstrap();
    receiver = WebhookReceiver.listen();
    node = TestNode.start(new JsonObject()
        .put("kafka", new JsonObject().put("bootstrap", bootstrap))
        .put("push", new JsonObject().put("webhookUrl", receiver.url()).put("webhookSecret", "push-topic-secret")));
    pushes = new TopicReader(bootstrap, EventPublisher.PUSH_TOPIC);
  }

  @AfterAll
  static void stop() {
    pushes.close();
    node.close();
    receiver.close();
  }

  @Test
  void anOfflineMemberGetsTheWebhooksBodyOnTheTopicKeyedByUid() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));

    JsonObject ack = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "are you there?")));
    TopicReader.Read push = pushes.next(r -> ack.getString("mid").equals(r.value().getString("mid")));
    WebhookReceiver.Post post = await(receiver.next(p -> ack.getString("mid").equals(p.json().getString("mid"))));

    assertEquals(bob.uid(), push.key());
    assertEquals(post.json(), push.value());
    assertEquals(bob.uid(), push.value().getString("uid"));
    assertEquals("are you there?", push.value().getString("preview"));
    assertEquals(1L, push.value().getLong("badge"));
    aliceWs.close();
  }

  @Test
  void membersWithAConnectionOrAMuteGetNoPushOnTheTopic() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User dave = await(node.newUser());
    TestNode.User erin = await(node.newUser());
    HttpResult created = await(node.http().post("/api/v1/groups", alice.token(), new JsonObject().put("name", "pushes")
        .put("members", new JsonArray().add(bob.uid()).add(dave.uid()).add(erin.uid()))));
    String group = created.json().getString("conv");
    assertEquals(204, await(node.http().put("/api/v1/conversations/" + group + "/mute", dave.token(),
        new JsonObject().put("muted", true))).status());
    ImClient aliceWs = await(node.connect("ws", alice, "phone"));
    ImClient bobWs = await(node.connect("ws", bob, "phone"));

    JsonObject inGroup = await(aliceWs.request(Op.SEND, text("conv", group, "hello all")));
    assertEquals(erin.uid(), pushes.next(r -> inGroup.getString("mid").equals(r.value().getString("mid"))).key());
    await(bobWs.next(Op.MSG));
    bobWs.close();
    await(Poll.until(node.clientVertx(), () -> node.node().routes().lookup(List.of(bob.uid())).map(Map::isEmpty)));

    JsonObject toBob = await(aliceWs.request(Op.SEND, text("to", bob.uid(), "now you are away")));
    JsonObject toDave = await(aliceWs.request(Op.SEND, text("to", dave.uid(), "not muted here")));
    pushes.next(r -> toBob.getString("mid").equals(r.value().getString("mid")));
    pushes.next(r -> toDave.getString("mid").equals(r.value().getString("mid")));

    assertEquals(List.of(toBob.getString("mid")), midsFor(bob.uid()), "bob was connected when the group message came");
    assertEquals(List.of(toDave.getString("mid")), midsFor(dave.uid()), "dave muted the group");
    assertEquals(List.of(), midsFor(alice.uid()), "the sender is never pushed");
    aliceWs.close();
  }

  private static List<String> midsFor(String uid) {
    return pushes.all(r -> uid.equals(r.key())).stream().map(r -> r.value().getString("mid")).toList();
  }

  private static JsonObject text(String targetField, String target, String text) {
    return new JsonObject().put("cmid", Ids.newId()).put(targetField, target).put("kind", "text")
        .put("body", new JsonObject().put("text", text));
  }
}
