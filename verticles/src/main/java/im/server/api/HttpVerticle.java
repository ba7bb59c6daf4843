package im.server.api;

import im.server.gateway.WsGateway;
import im.shared.health.HealthChecks;
import im.shared.metrics.Prometheus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * The node's HTTP port: the API, {@code /ws}, {@code /health} and {@code /metrics}. All of them live on
 * one server because Vert.x shares a port round-robin between every verticle listening on it: a
 * separate WebSocket verticle on the same port would receive API requests too.
 */
public final class HttpVerticle extends VerticleBase {

  private final List<RouteMount> routes;
  private final WsGateway ws;
  private final HealthChecks health;
  private final Prometheus prometheus;
  private HttpServer server;

  /** @param routes the route sets served besides {@code /ws}, {@code /health} and {@code /metrics}, in this order */
  public HttpVerticle(List<RouteMount> routes, WsGateway ws, HealthChecks health, Prometheus prometheus) {
    this.routes = List.copyOf(routes);
    this.ws = ws;
    this.health = health;
    this.prometheus = prometheus;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(this::metrics);
    routes.forEach(mount -> mount.mount(router));
    return ws.listen(router).onSuccess(listening -> server = listening);
  }

  /** The bound port: the configured one, or the one picked for port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  private void health(RoutingContext ctx) {
    ctx.response()
        .setStatusCode(health.isUp() ? 200 : 503)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(health.status().encode());
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", Prometheus.CONTENT_TYPE).end(prometheus.scrape());
  }
}
