package im.shared.events;

import im.shared.metrics.ImMetrics;
import im.testing.Await;
import im.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a reachable broker, publishing neither throws nor waits: the lost records are counted by topic. */
class KafkaEventPublisherTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void recordsThatNoBrokerTakesAreCountedAsFailedByTopic() throws IOException {
    EventPublisher publisher = Await.result(KafkaEventPublisher.create(vertx, "127.0.0.1:" + closedPort(), "test",
        new ImMetrics(registry)), Duration.ofSeconds(10));
    assertTrue(publisher.enabled());

    publisher.publish(new DomainEvent.PresenceChanged("alice", "online", 1, 1));

    Poll.until(() -> failed(EventPublisher.EVENTS_TOPIC) == 1, Duration.ofSeconds(20), "the failure counted");
    assertEquals(0, failed(EventPublisher.PUSH_TOPIC));
    Await.result(publisher.close(), Duration.ofSeconds(20));
  }

  private double failed(String topic) {
    Counter counter = registry.find("im.kafka.failed").tag("topic", topic).counter();
    return counter == null ? 0 : counter.count();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
