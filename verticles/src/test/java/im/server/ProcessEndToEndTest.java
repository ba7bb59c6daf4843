package im.server;

import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import im.testing.NodeProcess;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process contract of docs/protocol.md §1, checked on real {@code im.server.Main} processes: bad settings and
 * unreachable dependencies and taken ports stop the node with one line naming the cause and nothing before it,
 * /health and /metrics answer, SIGTERM drains.
 */
class ProcessEndToEndTest {

  private final List<NodeProcess> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void cleanUp() {
    processes.forEach(NodeProcess::destroy);
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private NodeProcess startMain(Map<String, String> env, Path configFile) throws IOException {
    NodeProcess node = new NodeProcess("proc-" + Ids.newId().substring(0, 6), env, configFile);
    processes.add(node);
    node.start();
    return node;
  }

  @Test
  void aWrongSettingStopsTheNodeWithOneLineNamingIt() throws Exception {
    NodeProcess node = startMain(Map.of("IM_HTTP_PORT", "eighty"), null);
    assertEquals(2, node.awaitExit(30));
    String output = node.output().strip();
    assertEquals(1, output.lines().count(), output);
    assertTrue(output.contains("IM_HTTP_PORT"), output);
  }

  @Test
  void aConfigFileThatIsNotJsonIsNamed() throws Exception {
    Path config = Files.createTempFile("im-config-", ".json");
    Files.writeString(config, "{ not json");
    NodeProcess node = startMain(Map.of(), config);
    assertEquals(2, node.awaitExit(30));
    assertTrue(node.output().contains(config.toString()), node.output());
  }

  @Test
  void anUnreachableDatabaseStopsTheNodeWithOneLineNamingIt() throws Exception {
    NodeProcess node = startMain(Map.of("IM_PG_URL", "postgresql://127.0.0.1:1/im_test"), null);
    assertEquals(1, node.awaitExit(60));
    String line = onlyLine(node);
    assertTrue(line.contains("PostgreSQL at 127.0.0.1:1 is unreachable"), line);
  }

  @Test
  void anUnreachableRedisStopsTheNodeWithOneLineBeforeMigrationsOrHazelcast() throws Exception {
    NodeProcess node = startMain(Map.of("IM_REDIS_URL", "redis://:hunter2@127.0.0.1:1", "IM_PG_URL", TestDatabase.URL), null);
    assertEquals(1, node.awaitExit(60));
    String line = onlyLine(node);
    assertTrue(line.contains("Redis at redis://***@127.0.0.1:1 is unreachable"), line);
    assertFalse(line.contains("hunter2"), "no password in the log: " + line);
  }

  @Test
  void anUnreachableKafkaStopsTheNodeWithOneLineNamingIt() throws Exception {
    NodeProcess node = startMain(Map.of("IM_KAFKA_BOOTSTRAP", "127.0.0.1:1", "IM_PG_URL", TestDatabase.URL,
        "IM_REDIS_URL", TestDatabase.REDIS_URL), null);
    assertEquals(1, node.awaitExit(60));
    String line = onlyLine(node);
    assertTrue(line.contains("Kafka (IM_KAFKA_BOOTSTRAP) is unreachable: 127.0.0.1:1"), line);
  }

  /** Each listening port a setting names, taken by another socket: the one line names the port and its variable. */
  @ParameterizedTest
  @ValueSource(strings = {"IM_HTTP_PORT", "IM_TCP_PORT", "IM_CLUSTER_PORT"})
  void aTakenPortStopsTheNodeWithOneLineNamingIt(String variable) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NodeProcess node = startMain(Map.of(variable, String.valueOf(taken.getLocalPort()), "IM_PG_URL", TestDatabase.URL,
          "IM_REDIS_URL", TestDatabase.REDIS_URL), null);
      assertEquals(1, node.awaitExit(60));
      String line = onlyLine(node);
      assertTrue(line.contains("port " + taken.getLocalPort() + " (" + variable + ")"), line);
    }
  }

  /** The process printed exactly one line, the cause, with no log or stack trace before or after it. */
  private static String onlyLine(NodeProcess node) {
    String output = node.output().strip();
    assertEquals(1, output.lines().count(), output);
    assertTrue(output.startsWith("im-server: "), output);
    return output;
  }

  @Test
  void aRunningNodeIsHealthyServesMetricsAndDrainsOnSigterm() throws Exception {
    NodeProcess node = startMain(Map.of(
        "IM_PG_URL", TestDatabase.URL, "IM_REDIS_URL", TestDatabase.REDIS_URL, "IM_JWT_SECRET", "process-test-secret-0123456789"), null);
    vertx = Vertx.vertx();
    JsonObject health = node.awaitHealthy(vertx, Duration.ofSeconds(60));
    assertEquals("UP", health.getString("status"));
    assertFalse(node.output().contains("CP Subsystem"), "no CP Subsystem warning (docs/architecture.md): " + node.output());
    int http = node.httpPort();
    ImHttp client = new ImHttp(vertx, "127.0.0.1", http);

    TestUser user = await(TestUsers.signUp(client, "p"));
    ImClient ws = await(ImClient.ws(vertx, "127.0.0.1", http));
    await(ws.auth(user.token(), "phone"));

    String metrics = await(client.get("/metrics", null)).raw().toString();
    assertTrue(metrics.contains("im_connections{transport=\"ws\"} 1.0"), metrics);
    assertTrue(metrics.contains("im_ack_latency_seconds_bucket"), "ack latency histogram");
    assertTrue(metrics.contains("vertx_eventbus"), "event-bus metrics");

    Future<JsonObject> kicked = ws.next(Op.KICKED);
    assertEquals(0, node.terminate(), "SIGTERM drains and exits 0 within 30 s");
    assertEquals("shutdown", await(kicked).getString("reason"));
    await(ws.closed());
  }
}
