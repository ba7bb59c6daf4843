package im.loadtest;

import im.testing.NodeProcess;
import im.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every scenario of the load-test, small and short, against the built server jar ({@code verticles/target/im-server.jar})
 * and the relay: correctness only (each scenario exits 0 when every acked message reached its recipients in order,
 * with no error), never timing. The figures these scenarios produce at full size are in the README.
 */
class ScenarioSmokeIT {

  private static final Path SERVER_JAR = Path.of(System.getProperty("im.server.jar", "../verticles/target/im-server.jar"));
  private static final Duration START_LIMIT = Duration.ofSeconds(120);
  private static final String JWT_SECRET = "smoke-test-secret-0123456789abcdef";

  @TempDir
  static Path directory;
  private static final List<NodeProcess> nodes = new ArrayList<>();
  private static Vertx vertx;

  @BeforeAll
  static void startThreeClusteredNodes() throws Exception {
    assertTrue(Files.isRegularFile(SERVER_JAR), "build the server first (mvn package builds verticles before load-test): "
        + SERVER_JAR.toAbsolutePath());
    vertx = Vertx.vertx();
    // Fast password hashing and no per-connection send limit: the scenarios sign up many users and send in bursts.
    JsonObject settings = new JsonObject()
        .put("cluster", new JsonObject().put("name", "smoke-" + UUID.randomUUID()))
        .put("security", new JsonObject().put("passwordIterations", 1000))
        .put("limits", new JsonObject().put("registrationsPerAddressPerHour", 0))
        .put("realtime", new JsonObject().put("sendsPerSecond", 100_000).put("sendBurst", 100_000))
        .put("http", new JsonObject().put("instances", 1))
        .put("tcp", new JsonObject().put("instances", 1))
        .put("messages", new JsonObject().put("instances", 1));
    Path config = directory.resolve("im.json");
    Files.writeString(config, settings.encode());
    Map<String, String> env = Map.of("IM_PG_URL", TestDatabase.URL, "IM_REDIS_URL", TestDatabase.REDIS_URL,
        "IM_JWT_SECRET", JWT_SECRET, "IM_CLUSTER_HOST", "127.0.0.1");
    NodeProcess first = new NodeProcess("smoke-1", env, config).fromJar(SERVER_JAR);
    nodes.add(first);
    first.start();
    first.awaitHealthy(vertx, START_LIMIT);
    Map<String, String> joining = new HashMap<>(env);
    joining.put("IM_CLUSTER_MEMBERS", "127.0.0.1:" + first.clusterPort());
    for (int i = 2; i <= 3; i++) {
      NodeProcess node = new NodeProcess("smoke-" + i, joining, config).fromJar(SERVER_JAR);
      nodes.add(node);
      node.start();
    }
    for (NodeProcess node : nodes) {
      node.awaitHealthy(vertx, START_LIMIT);
    }
  }

  @AfterAll
  static void stopNodes() {
    nodes.forEach(NodeProcess::destroy);
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static String[] onFirstNode(String... args) {
    List<String> all = new ArrayList<>(List.of("--http-port=" + nodes.get(0).httpPort(),
        "--tcp-port=" + nodes.get(0).tcpPort()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void relayCeiling() {
    int[] ports = new Relay().listen(vertx, 0, 0).await();
    assertEquals(0, OneToOneLoad.run(new String[] {"--http-port=" + ports[0], "--tcp-port=" + ports[1],
        "--transport=tcp", "--pairs=3", "--messages=20", "--drain-ms=5000"}));
  }

  @Test
  void oneToOneClosedWindowOverWebSocket() {
    assertEquals(0, OneToOneLoad.run(onFirstNode("--transport=ws", "--pairs=3", "--messages=20", "--drain-ms=5000")));
  }

  @Test
  void oneToOneFindMaxOverTcp() {
    assertEquals(0, OneToOneLoad.run(onFirstNode("--transport=tcp", "--pairs=4", "--duration=1", "--rate=40",
        "--step=40", "--max-rate=80", "--find-max=true", "--drain-ms=5000")));
  }

  @Test
  void connectionsAcrossNodesReachEachOther() throws Exception {
    // Numbered from 1, as the second generator process of a larger run would be: its clients still spread over all
    // three nodes, and every sampled recipient sits on another node than its sender.
    assertEquals(0, ConnectionsLoad.run(new String[] {"--nodes=" + nodeList(), "--transport=ws", "--connections=40",
        "--first-index=1", "--hold=1", "--reach-sample=20"}));
  }

  @Test
  void groupFanout() {
    assertEquals(0, GroupFanoutLoad.run(onFirstNode("--transport=tcp", "--groups=2", "--members=15", "--duration=1",
        "--rate=20")));
  }

  @Test
  void reconnectStormAcrossNodes() {
    assertEquals(0, ReconnectStormLoad.run(new String[] {"--nodes=" + nodeList(), "--transport=ws", "--pairs=20",
        "--rate=100", "--before=1", "--after=2", "--jitter-ms=500"}));
  }

  @Test
  void clusterSendersAndPeersOnDifferentNodes() {
    assertEquals(0, OneToOneLoad.run(new String[] {"--nodes=" + nodeList(), "--transport=tcp", "--pairs=6",
        "--messages=20", "--drain-ms=5000"}));
  }

  private static String nodeList() {
    return String.join(",", nodes.stream().map(node -> "127.0.0.1:" + node.httpPort() + ":" + node.tcpPort()).toList());
  }
}
