package im.server;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.testing.NodeProcess;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embedded mode (docs/protocol.md §1) on the built fat jar, {@code java -jar im-server.jar} started in an empty
 * directory with no database setting at all, as a person trying the platform runs it (a failsafe test: it runs after
 * {@code package}): the node runs its own PostgreSQL and Redis under {@code ./im-data}, keeps accounts and messages
 * across a SIGTERM and a restart, stops its servers after draining, and refuses to join a cluster.
 */
class EmbeddedModeJarIT {

  private static final Duration START_LIMIT = Duration.ofSeconds(90);
  private static final Path JAR = Path.of(System.getProperty("im.server.jar", "target/im-server.jar"));
  private static final Map<String, String> ENV = Map.of("IM_JWT_SECRET", "embedded-test-secret-0123456789");

  @TempDir
  Path directory;
  private NodeProcess node;
  private Vertx vertx;

  @AfterEach
  void cleanUp() {
    if (node != null) {
      node.destroy();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void keepsAccountsAndMessagesAcrossARestartWithNothingConfigured() throws Exception {
    vertx = Vertx.vertx();
    node = new NodeProcess("embedded", ENV, null).fromJar(JAR).inDirectory(directory);
    node.start();
    node.awaitHealthy(vertx, START_LIMIT);
    assertTrue(node.output().contains("embedded mode"), "one warning says so: " + node.output());
    ImHttp http = new ImHttp(vertx, "127.0.0.1", node.httpPort());
    TestUser alice = await(TestUsers.signUp(http, "alice"));
    TestUser bob = await(TestUsers.signUp(http, "bob"));
    ImClient ws = await(ImClient.ws(vertx, "127.0.0.1", node.httpPort()));
    await(ws.auth(alice.token(), "phone"));
    JsonObject ack = await(ws.request(Op.SEND, new JsonObject().put("cmid", "kept-1").put("to", bob.uid())
        .put("kind", "text").put("body", new JsonObject().put("text", "still here after a restart"))));
    http.close();

    assertEquals(0, node.terminate(), "SIGTERM drains and exits 0");
    Path data = directory.resolve("im-data");
    assertFalse(Files.exists(data.resolve("postgres").resolve("postmaster.pid")), "PostgreSQL was stopped");
    assertFalse(Files.exists(data.resolve("redis").resolve("redis.pid")), "Redis was stopped");

    node.start();
    node.awaitHealthy(vertx, START_LIMIT);
    http = new ImHttp(vertx, "127.0.0.1", node.httpPort());
    String bobToken = await(http.login(bob.username(), "password-" + bob.username())).getString("token");
    HttpResult history = await(http.get("/api/v1/conversations/" + ack.getString("conv") + "/messages", bobToken));
    assertEquals(200, history.status(), history.raw().toString());
    JsonArray messages = history.json().getJsonArray("messages");
    assertEquals(1, messages.size(), messages.encode());
    assertEquals("still here after a restart", messages.getJsonObject(0).getJsonObject("body").getString("text"));
    assertEquals(ack.getString("mid"), messages.getJsonObject(0).getString("mid"));
    http.close();
    assertEquals(0, node.terminate());
  }

  @Test
  void refusesToJoinAClusterWithoutSharedServers() throws Exception {
    node = new NodeProcess("embedded-cluster", Map.of("IM_CLUSTER_MEMBERS", "127.0.0.1:5701"), null)
        .fromJar(JAR).inDirectory(directory);
    node.start();
    assertEquals(2, node.awaitExit(30));
    String output = node.output().strip();
    assertEquals(1, output.lines().count(), output);
    assertTrue(output.contains("IM_CLUSTER_MEMBERS") && output.contains("IM_PG_URL"), output);
    assertFalse(Files.exists(directory.resolve("im-data")), "nothing was started");
  }
}
