package im.server;

import im.protocol.Op;
import im.protocol.client.ImClient;
import im.testing.KafkaBroker;
import im.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static im.server.SocialEndToEndTest.text;
import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The broker dies under traffic and comes back: sends fail with {@code unavailable} meanwhile (never hang, never
 * ack), health turns 503, and the same node serves the retries with the same cmids once the broker is back, with
 * every acked message stored exactly once under the seq its ack named.
 */
class KafkaBrokerFaultTest {

  @Test
  void sendsFailUnavailableWhileTheBrokerIsDownAndSucceedWithTheSameCmidOnceItIsBack() {
    try (KafkaBroker broker = KafkaBroker.start();
         TestNode node = TestNode.start(new JsonObject().put("kafka", new JsonObject().put("bootstrap", broker.bootstrap())))) {
      TestNode.User alice = await(node.newUser());
      TestNode.User bob = await(node.newUser());
      ImClient client = await(node.connect("tcp", alice, "a1"));
      Map<String, Long> acked = new HashMap<>();
      for (int i = 0; i < 5; i++) {
        JsonObject ack = await(client.request(Op.SEND, text("before-" + i, bob, "before")));
        assertEquals("ack", ack.getString("t"), ack.encode());
        acked.put("before-" + i, ack.getLong("seq"));
      }

      broker.stop();
      JsonObject refused = await(client.request(Op.SEND, text("during", bob, "while the broker is down")));
      assertEquals("error", refused.getString("t"), refused.encode());
      assertEquals("unavailable", refused.getString("code"), refused.encode());
      Poll.until(() -> await(node.http().get("/health", null)).status() == 503, Duration.ofSeconds(10),
          "/health to report Kafka down");

      broker.restart();
      Poll.until(() -> "ack".equals(await(client.request(Op.SEND, text("during", bob, "while the broker is down")))
          .getString("t")), Duration.ofSeconds(60), "the retried send to be acked");
      JsonObject ack = await(client.request(Op.SEND, text("during", bob, "while the broker is down")));
      acked.put("during", ack.getLong("seq"));
      Poll.until(() -> await(node.http().get("/health", null)).status() == 200, Duration.ofSeconds(30),
          "/health to report Kafka back");

      JsonArray history = await(node.http().get("/api/v1/conversations/" + ack.getString("conv") + "/messages?limit=100",
          bob.token())).json().getJsonArray("messages");
      Map<String, Long> stored = new HashMap<>();
      history.forEach(m -> stored.merge(((JsonObject) m).getString("cmid"), ((JsonObject) m).getLong("seq"),
          (a, b) -> { throw new AssertionError("cmid stored twice: " + history.encode()); }));
      assertEquals(acked, stored, "every acked message stored once, under its acked seq");
      client.close();
    }
  }
}
