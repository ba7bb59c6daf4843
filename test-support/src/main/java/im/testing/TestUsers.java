package im.testing;

import im.protocol.client.ImHttp;
import io.vertx.core.Future;

import java.util.UUID;

/** Signs up users with fresh names through a node's HTTP API (docs/protocol.md §4). Safe from any thread. */
public final class TestUsers {

  /** A user registered and logged in. */
  public record TestUser(String uid, String username, String token) {}

  private TestUsers() {}

  /** Registers a user with a fresh username (starting with {@code prefix}) and logs it in. */
  public static Future<TestUser> signUp(ImHttp http, String prefix) {
    String username = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String password = "password-" + username;
    return http.register(username, password)
        .compose(registered -> http.login(username, password))
        .map(login -> new TestUser(login.getString("uid"), username, login.getString("token")));
  }
}
