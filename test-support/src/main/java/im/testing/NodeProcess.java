package im.testing;

import im.protocol.client.ImHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node as a real {@code im.server.Main} process (on the test classpath, or the built fat jar), so that it can be killed
 * ({@code kill -9}: {@link #kill}) or drained ({@code SIGTERM}: {@link #terminate}) and started again.
 *
 * <p>Ports are bound, never guessed: the process listens on port 0 for HTTP, TCP and Hazelcast (unless
 * {@code env} says otherwise) and {@link #awaitHealthy} reads the ports it got from its "node … up" log line.
 * A restart may therefore land on other ports; ask {@link #httpPort()} again after it. Its output (the
 * production logging at INFO) goes to {@code target/node-logs/}, not to the build's console.
 * Used from the test thread only.
 */
public final class NodeProcess {

  private static final Path LOG_DIR = Path.of("target", "node-logs");
  private static final Pattern UP = Pattern.compile("node \\S+ up: http \\S+:(\\d+), tcp \\S+:(\\d+), cluster \\S+:(\\d+)");
  /** The server's entry point; a name, not a class, so that modules which do not build the server can run its jar. */
  private static final String MAIN_CLASS = "im.server.Main";

  public final String nodeId;
  private final Map<String, String> env;
  private final Path configFile;
  /** The fat jar to run with {@code java -jar}, or null for {@code Main} on the test classpath; see {@link #fromJar}. */
  private Path jar;
  /** Where the process runs, or null for the tests' own directory; see {@link #inDirectory}. */
  private Path directory;
  /** The network namespace the process runs in, or null for the host's; see {@link #inNetworkNamespace}. */
  private String namespace;
  /** Where the test reaches the process's HTTP port. */
  private String host = "127.0.0.1";
  private Process process;
  private Path log;
  private int starts;
  private boolean portsRead;
  private int httpPort;
  private int tcpPort;
  private int clusterPort;

  /** @param configFile the JSON config file argument of {@code Main}, or null for none */
  public NodeProcess(String nodeId, Map<String, String> env, Path configFile) {
    this.nodeId = nodeId;
    this.env = env;
    this.configFile = configFile;
  }

  /**
   * Runs the process in {@code directory}, with no {@code IM_*} variable of the build's environment: only {@code env}
   * configures it, as on a machine where nothing was set up. Returns this, before {@link #start}.
   */
  public NodeProcess inDirectory(Path directory) {
    this.directory = directory;
    return this;
  }

  /**
   * Runs the built fat jar ({@code java -jar}, its manifest giving Hazelcast's JVM flags) instead of {@code Main} on the
   * test classpath: what a user runs. Returns this, before {@link #start}.
   */
  public NodeProcess fromJar(Path jar) {
    this.jar = jar;
    return this;
  }

  /**
   * Runs the process in network namespace {@code namespace} ({@code ip netns exec}, which execs: the process is the
   * JVM itself), where the test reaches its HTTP port at {@code host}. Returns this, before {@link #start}.
   */
  public NodeProcess inNetworkNamespace(String namespace, String host) {
    this.namespace = namespace;
    this.host = host;
    return this;
  }

  /** The address the test reaches the process at. */
  public String host() {
    return host;
  }

  /** The process id of the latest start (for {@code /proc} and {@code jcmd}). */
  public long pid() {
    return process.pid();
  }

  public void start() throws IOException {
    List<String> command = new ArrayList<>();
    if (namespace != null) {
      command.addAll(List.of("ip", "netns", "exec", namespace));
    }
    command.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    if (jar != null) {
      command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    } else {
      command.addAll(List.of(
          "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.management/sun.management=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          // The production logging, not the tests' WARN level: the "up" line carries the bound ports.
          "-Dlogback.configurationFile=logback.xml",
          "-cp", System.getProperty("java.class.path"), MAIN_CLASS));
    }
    if (configFile != null) {
      command.add(configFile.toString());
    }
    Files.createDirectories(LOG_DIR);
    log = LOG_DIR.resolve(nodeId + "-" + ++starts + ".log").toAbsolutePath();
    portsRead = false;
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    if (directory != null) {
      builder.directory(directory.toFile());
      builder.environment().keySet().removeIf(variable -> variable.startsWith("IM_"));
    }
    builder.environment().put("IM_NODE_ID", nodeId);
    builder.environment().put("IM_HTTP_PORT", "0");
    builder.environment().put("IM_TCP_PORT", "0");
    builder.environment().put("IM_CLUSTER_PORT", "0");
    builder.environment().putAll(env);
    process = builder.start();
  }

  /** The HTTP port of the latest start that reported one (see {@link #awaitHealthy}). */
  public int httpPort() {
    requirePorts();
    return httpPort;
  }

  /** The TCP gateway port of the latest start that reported one (see {@link #awaitHealthy}). */
  public int tcpPort() {
    requirePorts();
    return tcpPort;
  }

  /** The Hazelcast port of the latest start that reported one: what other members name in {@code IM_CLUSTER_MEMBERS}. */
  public int clusterPort() {
    requirePorts();
    return clusterPort;
  }

  private void requirePorts() {
    if (httpPort == 0) {
      throw new IllegalStateException(nodeId + " has not reported its ports yet: awaitHealthy first");
    }
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

  /** What the latest start printed so far. */
  public String output() {
    try {
      return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits for the ports in the "up" line, then polls /health until UP: a process's start-up has no other
   * signal to wait on. Fails at once, with the output, if the process exits.
   */
  public JsonObject awaitHealthy(Vertx vertx, Duration limit) {
    AtomicReference<JsonObject> health = new AtomicReference<>();
    Poll.until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError(nodeId + " exited: " + output());
      }
      return readPorts() && health(vertx, health);
    }, limit, nodeId + " to become healthy (its log: " + log.toAbsolutePath() + ")");
    return health.get();
  }

  private boolean readPorts() {
    if (!portsRead) {
      Matcher up = UP.matcher(output());
      if (up.find()) {
        httpPort = Integer.parseInt(up.group(1));
        tcpPort = Integer.parseInt(up.group(2));
        clusterPort = Integer.parseInt(up.group(3));
        portsRead = true;
      }
    }
    return portsRead;
  }

  private boolean health(Vertx vertx, AtomicReference<JsonObject> health) {
    ImHttp http = new ImHttp(vertx, host, httpPort);
    try {
      var result = http.get("/health", null).await(2, TimeUnit.SECONDS);
      health.set(result.json());
      return result.status() == 200;
    } catch (Exception notYetUp) {
      return false;
    } finally {
      http.close();
    }
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
