package im.server.api;

import im.server.TestNode;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/protocol.md §4 on a whole node (every route mounted the way production mounts them): a path no route
 * serves answers 404 whether or not a token comes with it; a path some route serves still wants the token,
 * whatever the method.
 */
class UnknownRouteTest {

  private static TestNode node;
  private static HttpTestClient http;
  private static String token;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    http = new HttpTestClient(node.httpPort());
    token = await(node.newUser()).token();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void anUnknownPathIsNotFoundWithOrWithoutAToken() {
    http.get("/api/v1/nothing-here", null).assertError(404, "not_found");
    http.get("/api/v1/nothing-here", "not-a-token").assertError(404, "not_found");
    http.get("/api/v1/nothing-here", token).assertError(404, "not_found");
    http.call(HttpMethod.DELETE, "/api/v1/users/me/and/more", null, null, null).assertError(404, "not_found");
  }

  @Test
  void aKnownPathStillWantsTheToken() {
    http.get("/api/v1/users/me", null).assertError(401, "unauthorized");
    http.get("/api/v1/users/me/", null).assertError(401, "unauthorized");
    http.get("/api/v1/users/me", "not-a-token").assertError(401, "unauthorized");
    http.get("/api/v1/users/u123", null).assertError(401, "unauthorized");
    http.get("/api/v1/groups/g123", null).assertError(401, "unauthorized");
    http.get("/api/v1/friends", null).assertError(401, "unauthorized");
    http.get("/api/v1/groups", null).assertError(401, "unauthorized"); // served for POST: a known path
    http.call(HttpMethod.DELETE, "/api/v1/blocks/u123", null, null, null).assertError(401, "unauthorized");
    assertEquals(200, http.get("/api/v1/users/me", token).status());
  }
}
