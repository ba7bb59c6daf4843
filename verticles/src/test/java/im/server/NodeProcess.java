package im.server;

import im.protocol.client.ImHttp;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node as a real {@code im.server.Main} process on the test classpath, so that it can be killed
 * ({@code kill -9}: {@link #kill}) or drained ({@code SIGTERM}: {@link #terminate}) and started again on the
 * same ports. Used from the test thread only.
 */
public final class NodeProcess {

  public final String nodeId;
  public final int httpPort;
  public final int tcpPort;
  public final int clusterPort;
  private final Map<String, String> env;
  private final Path configFile;
  private Process process;
  private Path log;

  /** @param configFile the JSON config file argument of {@code Main}, or null for none */
  public NodeProcess(String nodeId, int httpPort, int tcpPort, int clusterPort, Map<String, String> env, Path configFile) {
    this.nodeId = nodeId;
    this.httpPort = httpPort;
    this.tcpPort = tcpPort;
    this.clusterPort = clusterPort;
    this.env = env;
    this.configFile = configFile;
  }

  /** A node on free ports with {@code env} (which may override the ports too). */
  public static NodeProcess onFreePorts(String nodeId, Map<String, String> env, Path configFile) {
    return new NodeProcess(nodeId, TestNode.freePort(), TestNode.freePort(), TestNode.freePort(), env, configFile);
  }

  public void start() throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    if (configFile != null) {
      command.add(configFile.toString());
    }
    File file = File.createTempFile("im-" + nodeId + "-", ".log");
    file.deleteOnExit();
    log = file.toPath();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("IM_NODE_ID", nodeId);
    builder.environment().put("IM_HTTP_PORT", String.valueOf(httpPort));
    builder.environment().put("IM_TCP_PORT", String.valueOf(tcpPort));
    builder.environment().put("IM_CLUSTER_PORT", String.valueOf(clusterPort));
    builder.environment().putAll(env);
    process = builder.start();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** {@code kill -9}: no drain, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** {@code SIGTERM}; returns the exit code, or fails if the node takes more than 30 s. */
  public int terminate() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(nodeId + " did not exit within 30 s of SIGTERM: " + output());
    }
    return process.exitValue();
  }

  public String output() throws IOException {
    return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Polls /health until UP: a process's start-up has no other signal to wait on. */
  public JsonObject awaitHealthy(ImHttp http, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(nodeId + " exited: " + output());
      }
      try {
        var result = http.get("/health", null).await(2, TimeUnit.SECONDS);
        if (result.status() == 200) {
          return result.json();
        }
      } catch (Exception notYetListening) {
        // still starting
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError(nodeId + " never became healthy: " + output());
  }

  /** Waits for a node that stops by itself (a refused start); returns its exit code. */
  public int awaitExit(long seconds) throws Exception {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError(nodeId + " still runs after " + seconds + " s: " + output());
    }
    return process.exitValue();
  }

  public void destroy() {
    if (process != null) {
      process.destroyForcibly();
    }
  }
}
