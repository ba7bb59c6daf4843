package im.server.push;

import im.shared.config.ImConfig;
import im.shared.metrics.ImMetrics;
import im.testing.Poll;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sender's bounded queue and giving up, against a real receiver. */
class WebhookSenderTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ImMetrics metrics = new ImMetrics(registry);
  private Vertx vertx;
  private WebhookReceiver receiver;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    receiver = WebhookReceiver.listen();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    receiver.close();
  }

  /** One POST at a time, answered within 300 ms, retried every 50-100 ms. */
  private ImConfig.Push config(int queueSize, long retryForMs) {
    return new ImConfig.Push(receiver.url(), "", true, queueSize, 1, 300, 50, 100, retryForMs);
  }

  /** Made on {@code context}, and fed {@code count} payloads {n: 0..count-1} there in one go. */
  private void sendOnContext(ImConfig.Push config, int count) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      WebhookSender sender = new WebhookSender(vertx, context, config, metrics);
      for (int n = 0; n < count; n++) {
        sender.submit(new JsonObject().put("n", n).toBuffer());
      }
    });
  }

  private double count(String name) {
    return registry.counter(name).count();
  }

  @Test
  void aFullQueueDropsTheOldestWaitingPushesAndCountsThem() {
    receiver.answer(json -> json.getInteger("n") == 0, 0, 1);
    sendOnContext(config(2, 60_000), 5);
    // n=0 is in flight (its first POST is not answered); 1..4 compete for two places: 1 and 2 are dropped.
    await(receiver.next(p -> p.json().getInteger("n") == 4));
    await(receiver.next(p -> p.json().getInteger("n") == 0));
    await(receiver.next(p -> p.json().getInteger("n") == 3));
    assertEquals(2.0, count("im.push.dropped"));
    assertEquals(0, receiver.posts().stream().filter(p -> p.json().getInteger("n") == 1 || p.json().getInteger("n") == 2).count());
  }

  @Test
  void aPushThatNeverSucceedsIsGivenUpAfterTheRetryPeriodAndCounted() {
    receiver.answer(json -> true, 503, Integer.MAX_VALUE);
    sendOnContext(config(10, 1500), 1);
    Poll.until(() -> count("im.push.failed") == 1.0, Duration.ofSeconds(10), "the push to be given up");
    assertEquals(0.0, count("im.push.delivered"));
    assertEquals(receiver.posts().size() - 1, (int) count("im.push.retried"));
    assertTrue(receiver.posts().size() >= 3, "retried until the period ran out: " + receiver.posts().size());
  }
}
