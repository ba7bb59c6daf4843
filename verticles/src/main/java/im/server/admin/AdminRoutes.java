package im.server.admin;

import im.protocol.ImException;
import im.server.api.HttpErrors;
import im.server.api.JsonBody;
import im.server.api.RouteMount;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The operators API of docs/protocol.md §4 under {@code /admin/*}: {@code GET /admin/nodes},
 * {@code POST /admin/verticles/{name}/scale {instances, node?}} and {@code POST /admin/users/{uid}/kick}.
 * Every route needs {@code Authorization: Bearer <IM_ADMIN_TOKEN>}: a missing or wrong token is 401
 * {@code unauthorized}. With no token configured the admin API is off and every {@code /admin/*} path answers
 * 404 {@code not_found}, as if it did not exist.
 *
 * <p>Holds no per-request state; one instance serves every HTTP verticle instance. Handlers run on the
 * request's event loop and never block.
 */
public final class AdminRoutes implements RouteMount {

  private static final long MAX_BODY_BYTES = 4096;

  private final AdminToken token;
  private final String nodeId;
  private final ClusterAdmin cluster;

  public AdminRoutes(String adminToken, String nodeId, ClusterAdmin cluster) {
    this.token = new AdminToken(adminToken);
    this.nodeId = nodeId;
    this.cluster = cluster;
  }

  @Override
  public void mount(Router root) {
    root.route("/admin/*").failureHandler(HttpErrors::handle);
    root.route("/admin/*").handler(this::authorize);
    root.get("/admin/nodes").handler(this::nodes);
    root.post("/admin/verticles/:name/scale").handler(new JsonBody(MAX_BODY_BYTES))
        .handler(this::scale);
    root.post("/admin/users/:uid/kick").handler(this::kick);
    root.route("/admin/*").last().handler(HttpErrors::notFound);
  }

  private void authorize(RoutingContext ctx) {
    if (!token.enabled()) {
      HttpErrors.notFound(ctx);
    } else if (!token.accepts(ctx.request().getHeader("Authorization"))) {
      ctx.fail(ImException.unauthorized("Authorization: Bearer <admin token> required"));
    } else {
      ctx.next();
    }
  }

  private void nodes(RoutingContext ctx) {
    cluster.nodes().onComplete(done -> {
      if (done.succeeded()) {
        json(ctx, 200, new JsonObject().put("nodes", new JsonArray(done.result())));
      } else {
        ctx.fail(done.cause());
      }
    });
  }

  private void scale(RoutingContext ctx) {
    JsonObject body = body(ctx);
    Object instances = body.getValue("instances");
    if (!(instances instanceof Integer || instances instanceof Long)) {
      throw ImException.badRequest("instances must be a whole number");
    }
    long count = ((Number) instances).longValue();
    if (count < 1 || count > 64) {
      throw ImException.badRequest("instances must be 1..64, got " + count);
    }
    Object node = body.getValue("node", nodeId);
    if (!(node instanceof String target) || target.isEmpty()) {
      throw ImException.badRequest("node must be a node id");
    }
    cluster.scale(target, ctx.pathParam("name"), (int) count).onComplete(done -> {
      if (done.succeeded()) {
        json(ctx, 200, done.result());
      } else {
        ctx.fail(done.cause());
      }
    });
  }

  private void kick(RoutingContext ctx) {
    cluster.kick(ctx.pathParam("uid")).onComplete(done -> {
      if (done.succeeded()) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.fail(done.cause());
      }
    });
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body() == null || ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
      if (body == null) {
        throw ImException.badRequest("a JSON object body is required");
      }
      return body;
    } catch (DecodeException | ClassCastException e) {
      throw ImException.badRequest("body is not a JSON object");
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
