package im.server;

import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import im.shared.config.ImConfig;
import im.testing.Await;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * A whole node started in-process for end-to-end tests: clustered (a one-member cluster of its own unless
 * the overrides name members), against the real PostgreSQL ({@link TestDatabase}) and Redis. Its HTTP, TCP
 * and Hazelcast servers bind port 0 and report the port they got, so no two servers can be handed the same
 * one. Used from the test thread.
 */
public final class TestNode implements AutoCloseable {

  /** A user registered and logged in through the HTTP API. */
  public record User(String uid, String username, String token) {}

  private final Node node;
  private final Vertx clientVertx;
  private final ImHttp http;

  private TestNode(Node node) {
    this.node = node;
    this.clientVertx = Vertx.vertx();
    this.http = new ImHttp(clientVertx, "127.0.0.1", node.httpPort());
  }

  /** Test defaults (any free ports, fast hashing, a fresh cluster name) with {@code overrides} merged over them. */
  public static ImConfig config(JsonObject overrides) {
    JsonObject test = new JsonObject()
        .put("node", new JsonObject().put("id", "test-" + Ids.newId().substring(0, 6)))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2))
        .put("tcp", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2))
        .put("cluster", new JsonObject().put("name", "im-test-" + Ids.newId()).put("port", 0))
        .put("pg", new JsonObject().put("url", TestDatabase.URL))
        .put("redis", new JsonObject().put("url", TestDatabase.REDIS_URL))
        .put("jwt", new JsonObject().put("secret", "test-secret-0123456789abcdef"))
        .put("messages", new JsonObject().put("instances", 2))
        .put("security", new JsonObject().put("passwordIterations", 1000))
        // Every test signs its users up from 127.0.0.1, counted in the shared Redis for an hour: no registration limit.
        .put("limits", new JsonObject().put("registrationsPerAddressPerHour", 0));
    return ImConfig.of(test.mergeIn(overrides, true));
  }

  public static TestNode start() {
    return start(new JsonObject());
  }

  public static TestNode start(JsonObject overrides) {
    return start(config(overrides));
  }

  public static TestNode start(ImConfig config) {
    return new TestNode(Node.start(config).await());
  }

  /** Waits for {@code future} on the test thread; a future that does not complete in 15 s fails the test. */
  public static <T> T await(Future<T> future) {
    return Await.result(future, Duration.ofSeconds(15));
  }

  public Node node() {
    return node;
  }

  public ImConfig config() {
    return node.config();
  }

  public int httpPort() {
    return node.httpPort();
  }

  /** Where other members join this node's cluster. */
  public int clusterPort() {
    return node.clusterPort();
  }

  public ImHttp http() {
    return http;
  }

  public Vertx clientVertx() {
    return clientVertx;
  }

  /** Registers and logs in a user with a fresh username. */
  public Future<User> newUser() {
    return TestUsers.signUp(http, "u").map(user -> new User(user.uid(), user.username(), user.token()));
  }

  public Future<ImClient> ws() {
    return ImClient.ws(clientVertx, "127.0.0.1", node.httpPort());
  }

  public Future<ImClient> tcp() {
    return ImClient.tcp(clientVertx, "127.0.0.1", node.tcpPort());
  }

  /** A client of the given transport, authenticated as {@code user} with {@code device}. */
  public Future<ImClient> connect(String transport, User user, String device) {
    Future<ImClient> client = "tcp".equals(transport) ? tcp() : ws();
    return client.compose(c -> c.auth(user.token(), device).map(ok -> c));
  }

  @Override
  public void close() {
    clientVertx.close().await();
    node.stop().await();
  }
}
