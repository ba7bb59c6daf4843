package im.server.api;

import im.server.admin.AdminRoutes;
import im.server.user.UserClient;
import im.shared.auth.JwtTokens;
import im.shared.config.ImConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/openapi.json describes exactly the routes the node serves: builds a router from the same route mounts as
 * Node, in the same order, and compares its (method, path) pairs with the document's operations both ways. A route
 * added without documenting it, or a documented route that is gone, fails here.
 */
class OpenApiRoutesTest {

  /** Served by HttpVerticle itself, outside the route mounts. */
  private static final Set<String> HTTP_VERTICLE_ROUTES = Set.of("GET /health", "GET /metrics");

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void everyRouteIsDocumentedAndEveryOperationIsRouted() {
    ImConfig config = ImConfig.of(new JsonObject()
        .put("jwt", new JsonObject().put("secret", "test-secret-0123456789abcdef")));
    JwtTokens tokens = new JwtTokens(vertx, config.jwt());
    ApiRouter api = new ApiRouter(config, tokens, null, new UserClient(vertx), null, null, null)
        .withGroups(new GroupRoutes(null, null))
        .withTodos(new TodoRoutes(null, null));
    Router router = Router.router(vertx);
    List.of(new WebRoutes(), api, new AdminRoutes("admin-token", "node-1", null)).forEach(mount -> mount.mount(router));

    Set<String> routed = new TreeSet<>(HTTP_VERTICLE_ROUTES);
    for (Route route : router.getRoutes()) {
      if (route.isExactPath() && route.getPath() != null && route.methods() != null) {
        for (HttpMethod method : route.methods()) {
          routed.add(method.name() + " " + route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}"));
        }
      }
    }
    Set<String> documented = OpenApiDocument.operations(OpenApiDocument.load());

    Set<String> undocumented = new TreeSet<>(routed);
    undocumented.removeAll(documented);
    Set<String> unrouted = new TreeSet<>(documented);
    unrouted.removeAll(routed);
    assertEquals(Set.of(), undocumented, "routes missing from docs/openapi.json");
    assertEquals(Set.of(), unrouted, "operations in docs/openapi.json that no route serves");
    assertTrue(routed.size() > 30, "the router was read: " + routed);
  }
}
