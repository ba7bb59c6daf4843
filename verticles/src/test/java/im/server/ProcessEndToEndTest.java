package im.server;

import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process contract of PROTOCOL §1, checked on real {@code im.server.Main} processes: bad settings and
 * unreachable dependencies stop the node with one clear line, /health and /metrics answer, SIGTERM drains.
 */
class ProcessEndToEndTest {

  private final List<Process> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void cleanUp() {
    processes.forEach(Process::destroyForcibly);
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private Process startMain(Map<String, String> env, Path output, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    processes.add(process);
    return process;
  }

  private static Path logFile() throws IOException {
    File file = File.createTempFile("im-node-", ".log");
    file.deleteOnExit();
    return file.toPath();
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void aWrongSettingStopsTheNodeWithOneLineNamingIt() throws Exception {
    Path log = logFile();
    Process process = startMain(Map.of("IM_HTTP_PORT", "eighty"), log);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue());
    String output = read(log).strip();
    assertEquals(1, output.lines().count(), output);
    assertTrue(output.contains("IM_HTTP_PORT"), output);
  }

  @Test
  void aConfigFileThatIsNotJsonIsNamed() throws Exception {
    Path log = logFile();
    Path config = Files.createTempFile("im-config-", ".json");
    Files.writeString(config, "{ not json");
    Process process = startMain(Map.of(), log, config.toString());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue());
    assertTrue(read(log).contains(config.toString()), read(log));
  }

  @Test
  void anUnreachableDatabaseStopsTheNodeWithAClearMessage() throws Exception {
    Path log = logFile();
    Process process = startMain(Map.of("IM_PG_URL", "postgresql://127.0.0.1:1/im_test",
        "IM_HTTP_PORT", String.valueOf(TestNode.freePort()), "IM_TCP_PORT", String.valueOf(TestNode.freePort()),
        "IM_CLUSTER_PORT", String.valueOf(TestNode.freePort())), log);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    String output = read(log);
    assertTrue(output.contains("PostgreSQL") && output.contains("127.0.0.1:1"), output);
    assertTrue(output.lines().noneMatch(line -> line.startsWith("\tat ")), "no stack trace: " + output);
  }

  @Test
  void anUnreachableRedisStopsTheNodeWithAClearMessage() throws Exception {
    Path log = logFile();
    Process process = startMain(Map.of("IM_REDIS_URL", "redis://127.0.0.1:1", "IM_PG_URL", TestNode.TEST_PG_URL,
        "IM_HTTP_PORT", String.valueOf(TestNode.freePort()), "IM_TCP_PORT", String.valueOf(TestNode.freePort()),
        "IM_CLUSTER_PORT", String.valueOf(TestNode.freePort())), log);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    String output = read(log);
    assertTrue(output.contains("Redis at redis://127.0.0.1:1 is unreachable"), output);
    assertTrue(output.lines().noneMatch(line -> line.startsWith("\tat ")), "no stack trace: " + output);
  }

  @Test
  void aRunningNodeIsHealthyServesMetricsAndDrainsOnSigterm() throws Exception {
    int http = TestNode.freePort();
    Path log = logFile();
    Process process = startMain(Map.of(
        "IM_HTTP_PORT", String.valueOf(http), "IM_TCP_PORT", String.valueOf(TestNode.freePort()),
        "IM_CLUSTER_PORT", String.valueOf(TestNode.freePort()), "IM_NODE_ID", "proc-" + Ids.newId().substring(0, 6),
        "IM_PG_URL", TestNode.TEST_PG_URL, "IM_JWT_SECRET", "process-test-secret-0123456789"), log);
    vertx = Vertx.vertx();
    ImHttp client = new ImHttp(vertx, "127.0.0.1", http);
    JsonObject health = awaitHealthy(client, process, log);
    assertEquals("UP", health.getString("status"));

    String username = "p" + Ids.newId().substring(0, 10).replace('-', '_').toLowerCase();
    await(client.register(username, "password-123"));
    JsonObject login = await(client.login(username, "password-123"));
    ImClient ws = await(ImClient.ws(vertx, "127.0.0.1", http));
    await(ws.auth(login.getString("token"), "phone"));

    String metrics = await(client.get("/metrics", null)).raw().toString();
    assertTrue(metrics.contains("im_connections{transport=\"ws\"} 1.0"), metrics);
    assertTrue(metrics.contains("im_ack_latency_seconds_bucket"), "ack latency histogram");
    assertTrue(metrics.contains("vertx_eventbus"), "event-bus metrics");

    process.destroy();
    assertEquals("shutdown", await(ws.next(Op.KICKED)).getString("reason"));
    await(ws.closed());
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exits within 30 s");
    assertEquals(0, process.exitValue(), read(log));
  }

  /** Polls /health until it says UP: the node's start-up is the event, and it has no other signal to wait on. */
  private static JsonObject awaitHealthy(ImHttp client, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("node exited: " + read(log));
      }
      try {
        var result = client.get("/health", null).await(2, TimeUnit.SECONDS);
        if (result.status() == 200) {
          return result.json();
        }
      } catch (Exception notYetListening) {
        // the node is still starting
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError("node never became healthy: " + read(log));
  }
}
