package im.server.cluster;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.server.TestNode;
import im.shared.Ids;
import im.shared.cluster.ClusterSetup;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static im.server.TestNode.await;

/**
 * A cluster for tests: {@code n} real {@code Main} processes plus one node in the test's own JVM (the
 * observer: it reads the routing table and partition owners directly, and serves clients like any node).
 * All share one fresh cluster name, the test database, one JWT secret and one admin token.
 */
final class TestCluster implements AutoCloseable {

  static final String ADMIN_TOKEN = "admin-" + Ids.newId();
  static final String JWT_SECRET = "cluster-test-secret-0123456789";

  /** How long a {@code Main} process may take to start on a busy machine. */
  static final Duration PROCESS_START_LIMIT = Duration.ofSeconds(90);

  final List<NodeProcess> processes = new ArrayList<>();
  final TestNode local;
  final Vertx vertx = Vertx.vertx();
  private final Map<Integer, ImHttp> https = new HashMap<>();

  private TestCluster(TestNode local) {
    this.local = local;
  }

  static TestCluster start(int processCount) throws Exception {
    return start(processCount, TestDatabase.URL, TestDatabase.REDIS_URL);
  }

  /** A cluster on the PostgreSQL database and the Redis given (IM_PG_URL and IM_REDIS_URL forms). */
  static TestCluster start(int processCount, String pgUrl, String redisUrl) throws Exception {
    String name = "im-cluster-test-" + Ids.newId();
    JsonObject settings = settings(name);
    Path configFile = configFile(settings);

    // The observer starts first, on ports it binds itself; the processes join the cluster at its port.
    String run = Ids.newId().substring(0, 4).replace('-', 'x').replace('_', 'y');
    TestNode local = TestNode.start(settings.copy()
        .put("node", new JsonObject().put("id", "local-" + run))
        .put("cluster", new JsonObject().put("name", name).put("host", "127.0.0.1"))
        .put("pg", new JsonObject().put("url", pgUrl))
        .put("redis", new JsonObject().put("url", redisUrl))
        .put("jwt", new JsonObject().put("secret", JWT_SECRET))
        .put("admin", new JsonObject().put("token", ADMIN_TOKEN)));
    Map<String, String> env = Map.of(
        "IM_CLUSTER_HOST", "127.0.0.1", "IM_CLUSTER_MEMBERS", "127.0.0.1:" + local.clusterPort(),
        "IM_PG_URL", pgUrl, "IM_REDIS_URL", redisUrl, "IM_JWT_SECRET", JWT_SECRET, "IM_ADMIN_TOKEN", ADMIN_TOKEN);
    TestCluster cluster = new TestCluster(local);
    try {
      for (int i = 0; i < processCount; i++) {
        NodeProcess process = new NodeProcess("p" + (i + 1) + "-" + run, env, configFile);
        cluster.processes.add(process);
        process.start();
      }
      for (NodeProcess process : cluster.processes) {
        process.awaitHealthy(cluster.vertx, PROCESS_START_LIMIT);
      }
      cluster.awaitMembers(processCount + 1, Duration.ofSeconds(60));
    } catch (Throwable e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The settings every node of a test cluster shares (a process reads them from {@link #configFile}). */
  static JsonObject settings(String clusterName) {
    return new JsonObject()
        .put("cluster", new JsonObject().put("name", clusterName))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("instances", 1))
        .put("tcp", new JsonObject().put("host", "127.0.0.1").put("instances", 1))
        .put("messages", new JsonObject().put("instances", 2))
        // No re-sends within a test's lifetime: a re-sent msg would look like a reordering.
        .put("realtime", new JsonObject().put("maxDevices", 3).put("resendIntervalMs", 600_000)
            .put("sendsPerSecond", 100_000).put("sendBurst", 100_000))
        .put("security", new JsonObject().put("passwordIterations", 1000))
        // Every user a test signs up comes from 127.0.0.1; the reconnect storm alone signs up more than the hourly limit.
        .put("limits", new JsonObject().put("registrationsPerAddressPerHour", 0))
        .put("shutdown", new JsonObject().put("drainTimeoutMs", 5000));
  }

  static Path configFile(JsonObject settings) throws java.io.IOException {
    Path configFile = Files.createTempFile("im-cluster-", ".json");
    configFile.toFile().deleteOnExit();
    Files.writeString(configFile, settings.encode());
    return configFile;
  }

  ImHttp http(int port) {
    return https.computeIfAbsent(port, p -> new ImHttp(vertx, "127.0.0.1", p));
  }

  ImHttp localHttp() {
    return http(local.httpPort());
  }

  int localHttpPort() {
    return local.httpPort();
  }

  String localId() {
    return local.node().nodeId();
  }

  Set<String> memberIds() {
    return local.node().hazelcast().getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf)
        .collect(Collectors.toSet());
  }

  void awaitMembers(int count, Duration limit) {
    Poll.until(() -> memberIds().size() == count, limit, "a cluster of " + count + " members, now " + memberIds());
  }

  /** The node that owns {@code conv} now, as the observer's partition table says. */
  String ownerOf(String conv) {
    var owner = local.node().hazelcast().getPartitionService().getPartition(conv).getOwner();
    return owner == null ? null : ClusterSetup.nodeIdOf(owner);
  }

  /** node → devices of {@code uid} in the routing table. */
  Map<String, Set<String>> routesOf(String uid) {
    return await(local.node().routes().lookup(List.of(uid))).getOrDefault(uid, Map.of());
  }

  TestUser newUser() {
    return await(TestUsers.signUp(localHttp(), "c"));
  }

  ImClient connect(int httpPort, TestUser user, String device) {
    ImClient client = await(ImClient.ws(vertx, "127.0.0.1", httpPort));
    await(client.auth(user.token(), device));
    return client;
  }

  static JsonObject text(String cmid, String conv, String text) {
    return new JsonObject().put("cmid", cmid).put("conv", conv).put("kind", "text")
        .put("body", new JsonObject().put("text", text));
  }

  /**
   * Sends until acked: an {@code unavailable} answer (or none) is retried with the same cmid, as
   * docs/protocol.md §3 tells clients to, until {@code deadline} (System.nanoTime()).
   */
  static JsonObject sendUntilAcked(ImClient client, JsonObject send, long deadline) throws InterruptedException {
    while (true) {
      try {
        JsonObject reply = client.request(Op.SEND, send).await(15, TimeUnit.SECONDS);
        if ("ack".equals(reply.getString("t"))) {
          return reply;
        }
        if (!ErrorCode.UNAVAILABLE.wireName().equals(reply.getString("code"))) {
          throw new AssertionError("send refused: " + reply);
        }
      } catch (ImException | java.util.concurrent.TimeoutException e) {
        if (client.closed().isComplete()) {
          throw new AssertionError("connection closed while sending", e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no ack before the deadline for " + send);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Every message of {@code conv} from seq 1 up, through the HTTP API of the node at {@code httpPort}. */
  List<JsonObject> history(int httpPort, TestUser user, String conv) {
    return history(http(httpPort), user, conv);
  }

  /** Every message of {@code conv} from seq 1 up, through {@code http}. */
  static List<JsonObject> history(ImHttp http, TestUser user, String conv) {
    List<JsonObject> all = new ArrayList<>();
    long after = 0;
    while (true) {
      JsonObject page = await(http.get("/api/v1/conversations/" + conv + "/messages?after=" + after + "&limit=100",
          user.token())).json();
      JsonArray messages = page.getJsonArray("messages");
      messages.forEach(m -> all.add((JsonObject) m));
      if (messages.isEmpty() || !page.getBoolean("hasMore")) {
        return all;
      }
      after = messages.getJsonObject(messages.size() - 1).getLong("seq");
    }
  }

  @Override
  public void close() {
    processes.forEach(NodeProcess::destroy);
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // best effort
    }
    local.close();
  }
}
