package im.server.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser side of the node (docs/protocol.md §1, "Web client, operator console and OpenAPI";
 * docs/architecture.md, "Web client and SDK"): the web client at {@code /}, the operator console at {@code /admin},
 * their scripts and the {@code @im/client} SDK under {@code /web/}, and the OpenAPI document of the HTTP API at
 * {@code /openapi.json}. All are static files packed into the jar under
 * {@code webroot/} (from {@code web/} and {@code docs/openapi.json}), so the node serves them offline.
 *
 * <p>Must be mounted before the admin routes: {@code /admin} itself is the console page, which asks the person for
 * the admin token; every path under {@code /admin/} stays the operators API. Holds no per-request state; handlers
 * run on the request's event loop, and the static handler reads the classpath off it.
 */
public final class WebRoutes implements RouteMount {

  static final String ROOT = "webroot";
  /** Scripts, styles and connections from this node only; message text never becomes markup anyway. */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' blob: data:; "
      + "connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
      + "frame-ancestors 'none'";

  @Override
  public void mount(Router root) {
    StaticHandler files = StaticHandler.create(ROOT).setCachingEnabled(true).setMaxAgeSeconds(60);
    root.get("/").handler(ctx -> page(ctx, "app/index.html"));
    root.get("/admin").handler(ctx -> page(ctx, "admin/index.html"));
    root.get("/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Access-Control-Allow-Origin", "*")
        .sendFile(ROOT + "/openapi.json")
        .onFailure(ctx::fail));
    root.get("/web/*").handler(files);
  }

  private static void page(RoutingContext ctx, String file) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .sendFile(ROOT + "/" + file)
        .onFailure(ctx::fail);
  }
}
