package im.server.user;

import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.shared.Ids;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The account throttles of docs/protocol.md §4 on a real node with small limits: failed logins per username and per
 * address, registrations per address, connections per address. The counters live in Redis under this node's own
 * cluster name, so runs never share them.
 */
class AccountThrottleTest {

  private static final int PER_USER = 3;
  private static final int PER_ADDRESS = 5;

  /** Every test comes from 127.0.0.1: limits per address that one test reaches run on a node of their own. */
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(limits(new JsonObject().put("failedLoginsPerUser", PER_USER)
        .put("failedLoginWindowSeconds", 600).put("connectionsPerAddress", 2)));
  }

  private static JsonObject limits(JsonObject limits) {
    JsonObject off = new JsonObject().put("failedLoginsPerUser", 0).put("failedLoginsPerAddress", 0)
        .put("registrationsPerAddressPerHour", 0).put("connectionsPerAddress", 0);
    return new JsonObject().put("limits", off.mergeIn(limits));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void failedLoginsPerUsernameThrottleEveryAttemptRightPasswordIncluded() throws Exception {
    TestNode.User victim = await(node.newUser());
    TestNode.User other = await(node.newUser());
    String right = "password-" + victim.username();
    assertEquals(200, login(victim.username(), right).statusCode(), "a success counts nothing");
    for (int i = 0; i < PER_USER; i++) {
      assertEquals(401, login(victim.username(), "wrong-password-" + i).statusCode());
    }
    HttpResponse<String> throttled = login(victim.username(), right);
    assertEquals(429, throttled.statusCode(), "while throttled even the right password is refused");
    assertTrue(throttled.body().contains("rate_limited"), throttled.body());
    long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 600, "Retry-After " + retryAfter);
    assertEquals(429, login(victim.username().toUpperCase(), right).statusCode(), "usernames count case-insensitively");
    assertEquals(200, login(other.username(), "password-" + other.username()).statusCode(), "other usernames are not");
  }

  @Test
  void wrongPasswordsWhenClosingAnAccountAreThrottledLikeLogins() {
    TestNode.User victim = await(node.newUser());
    JsonObject wrong = new JsonObject().put("password", "not-the-password");
    for (int i = 0; i < PER_USER; i++) {
      assertEquals(401, await(node.http().delete("/api/v1/users/me", victim.token(), wrong)).status());
    }
    HttpResult throttled = await(node.http().delete("/api/v1/users/me", victim.token(),
        new JsonObject().put("password", "password-" + victim.username())));
    assertEquals(429, throttled.status(), "a stolen token is no way around the password throttle");
    assertEquals(200, await(node.http().get("/api/v1/users/me", victim.token())).status(), "nothing was closed");
  }

  @Test
  void failedLoginsPerAddressThrottleEveryUsernameFromIt() throws Exception {
    try (TestNode own = TestNode.start(limits(new JsonObject().put("failedLoginsPerAddress", PER_ADDRESS)))) {
      TestNode.User bystander = await(own.newUser());
      // Unknown usernames count like known ones: the address reaches its limit whatever names it tries.
      for (int i = 0; i < PER_ADDRESS; i++) {
        assertEquals(401, login(own, "nobody_" + Ids.newId().substring(0, 8), "wrong-password").statusCode());
      }
      assertEquals(429, login(own, bystander.username(), "password-" + bystander.username()).statusCode());
    }
  }

  @Test
  void connectionsPerAddressAreCapped() {
    ImClient first = await(node.tcp());
    ImClient second = await(node.ws());
    ImClient refusedTcp = await(node.tcp());
    await(refusedTcp.closed());
    assertThrows(Exception.class, () -> await(node.ws()), "the WebSocket upgrade is refused with 429");
    first.close();
    await(first.closed());
    ImClient afterOneLeft = await(node.tcp());
    afterOneLeft.close();
    second.close();
  }

  private static HttpResponse<String> login(String username, String password) throws Exception {
    return login(node, username, password);
  }

  private static HttpResponse<String> login(TestNode on, String username, String password) throws Exception {
    String body = new JsonObject().put("username", username).put("password", password).encode();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.httpPort() + "/api/v1/auth/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void registrationsPerAddressAreCapped() {
    try (TestNode own = TestNode.start(limits(new JsonObject().put("registrationsPerAddressPerHour", 2)))) {
      for (int i = 0; i < 2; i++) {
        assertEquals(201, register(own).status());
      }
      HttpResult refused = register(own);
      assertEquals(429, refused.status());
      assertEquals("rate_limited", refused.errorCode());
    }
  }

  private static HttpResult register(TestNode on) {
    String name = "r_" + Ids.newId().substring(0, 10);
    return await(on.http().post("/api/v1/auth/register", null,
        new JsonObject().put("username", name).put("password", "password-" + name)));
  }
}
