package im.server.push;

import im.shared.config.ImConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retry delays, and defaults that keep the contract's promises (docs/protocol.md §4, Offline push). */
class BackoffTest {

  @Test
  void delaysDoubleFromTheFirstUpToTheCap() {
    Backoff backoff = new Backoff(1000, 30_000);
    assertEquals(1000, backoff.delayMs(1));
    assertEquals(2000, backoff.delayMs(2));
    assertEquals(16_000, backoff.delayMs(5));
    assertEquals(30_000, backoff.delayMs(6));
    assertEquals(30_000, backoff.delayMs(1_000_000));
  }

  @Test
  void theDefaultsRetryWithinTwoSecondsCapAtThirtyAndKeepOnForFiveMinutes() {
    ImConfig.Push push = ImConfig.of(new JsonObject()).push();
    assertTrue(push.firstRetryMs() <= 2000, "first retry within 2 s");
    assertTrue(push.maxBackoffMs() <= 30_000, "backoff capped at 30 s");
    assertTrue(push.retryForMs() >= 300_000, "retried for at least 5 minutes");
    assertTrue(push.timeoutMs() < push.retryForMs());
    assertTrue(push.previews());
    assertEquals("", push.webhookUrl(), "push is off unless configured");
  }
}
