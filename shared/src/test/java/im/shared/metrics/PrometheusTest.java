package im.shared.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTest {

  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void scrapeRendersVertxAndImMeters() throws Exception {
    Prometheus prometheus = new Prometheus();
    vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(prometheus.options()))
        .withMetrics(prometheus.factory())
        .build();
    ImMetrics metrics = new ImMetrics(prometheus.registry());

    NetServer server = vertx.createNetServer().connectHandler(socket -> { });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    vertx.createNetClient().connect(server.actualPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
    vertx.eventBus().<String>consumer("metrics.test", (Message<String> m) -> m.reply(m.body()))
        .completion().await(10, TimeUnit.SECONDS);
    vertx.eventBus().request("metrics.test", "x").await(10, TimeUnit.SECONDS);

    metrics.connectionOpened("ws");
    metrics.connectionOpened("ws");
    metrics.connectionOpened("tcp");
    metrics.messagesSent(3);
    metrics.messagesDelivered(5);
    metrics.ackLatency(TimeUnit.MILLISECONDS.toNanos(7));

    String text = prometheus.scrape();
    assertContains(text, "im_connections{transport=\"ws\"} 2.0");
    assertContains(text, "im_connections{transport=\"tcp\"} 1.0");
    assertContains(text, "im_messages_sent_total 3.0");
    assertContains(text, "im_messages_delivered_total 5.0");
    assertContains(text, "im_ack_latency_seconds_bucket{le=");
    assertContains(text, "im_ack_latency_seconds_count 1");
    assertContains(text, "vertx_eventbus_");
    assertContains(text, "vertx_net_server_active_connections");
  }

  @Test
  void scrapeRendersTheJvmMetersOperatorsReadHeapAndCpuFrom() {
    try (Prometheus prometheus = new Prometheus()) {
      String text = prometheus.scrape();
      for (String meter : new String[] {"jvm_memory_used_bytes{area=\"heap\"", "jvm_memory_max_bytes",
          "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
          "system_cpu_count", "process_files_open_files", "process_uptime_seconds"}) {
        assertContains(text, meter);
      }
    }
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "scrape lacks '" + expected + "':\n" + text);
  }
}
