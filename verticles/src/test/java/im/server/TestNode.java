package im.server;

import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A whole node started in-process for end-to-end tests: clustered (a one-member cluster of its own),
 * against the real PostgreSQL (database {@code im_test}) and Redis, on free ports.
 */
public final class TestNode implements AutoCloseable {

  /** {@code -Dim.test.db=NAME} gives a branch under development a database of its own. */
  public static final String TEST_PG_URL = "postgresql://127.0.0.1:5432/" + System.getProperty("im.test.db", "im_test");

  /** A user registered and logged in through the HTTP API. */
  public record User(String uid, String username, String token) {}

  private final Node node;
  private final Vertx clientVertx;
  private final ImHttp http;

  private TestNode(Node node) {
    this.node = node;
    this.clientVertx = Vertx.vertx();
    this.http = new ImHttp(clientVertx, "127.0.0.1", node.config().http().port());
  }

  /** Test defaults (free ports, fast hashing, a fresh cluster name) with {@code overrides} merged over them. */
  public static ImConfig config(JsonObject overrides) {
    JsonObject test = new JsonObject()
        .put("node", new JsonObject().put("id", "test-" + Ids.newId().substring(0, 6)))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", freePort()).put("instances", 2))
        .put("tcp", new JsonObject().put("host", "127.0.0.1").put("port", freePort()).put("instances", 2))
        .put("cluster", new JsonObject().put("name", "im-test-" + Ids.newId()).put("port", freePort()))
        .put("pg", new JsonObject().put("url", TEST_PG_URL))
        .put("jwt", new JsonObject().put("secret", "test-secret-0123456789abcdef"))
        .put("messages", new JsonObject().put("instances", 2))
        .put("security", new JsonObject().put("passwordIterations", 1000));
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
    try {
      return future.await(15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 15 s", e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Node node() {
    return node;
  }

  public ImConfig config() {
    return node.config();
  }

  public ImHttp http() {
    return http;
  }

  public Vertx clientVertx() {
    return clientVertx;
  }

  /** Registers and logs in a user with a fresh username. */
  public Future<User> newUser() {
    String username = "u" + Ids.newId().replace('-', '_').substring(0, 12).toLowerCase();
    String password = "password-" + username;
    return http.register(username, password)
        .compose(registered -> http.login(username, password))
        .map(login -> new User(login.getString("uid"), username, login.getString("token")));
  }

  public Future<ImClient> ws() {
    return ImClient.ws(clientVertx, "127.0.0.1", node.config().http().port());
  }

  public Future<ImClient> tcp() {
    return ImClient.tcp(clientVertx, "127.0.0.1", node.config().tcp().port());
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
