package im.server.gateway;

import im.server.session.Sessions;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * The {@code /ws} endpoint (docs/protocol.md §3) on the node's shared HTTP server: checks the {@code Origin}
 * allow-list, upgrades, and hands the socket to a {@link WsConnection}.
 *
 * <p>One per node; thread-safe. {@link #handle} runs on whichever HTTP server context received the request,
 * and the connection stays on that context.
 */
public final class WsGateway {

  private static final Logger LOG = LoggerFactory.getLogger(WsGateway.class);

  private final GatewayServices services;
  private final Vertx vertx;
  private final Set<String> allowedOrigins;

  public WsGateway(Vertx vertx, GatewayServices services) {
    this.vertx = vertx;
    this.services = services;
    this.allowedOrigins = Set.copyOf(services.config().http().allowedOrigins());
  }

  /**
   * Port 0 in the settings means any free port, the same for every instance: Vert.x gives one random port to all
   * servers of a Vert.x instance that listen on the same negative port. The TCP gateway uses another one.
   */
  private static final int ANY_PORT_SHARED = -1;

  /**
   * The WebSocket settings the HTTP server needs: no compression (so a set RSV bit is a protocol error:
   * no extension is negotiated) and the frame size limit.
   */
  private static HttpServerOptions configure(HttpServerOptions options, int maxFrameBytes) {
    return options
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(maxFrameBytes)
        .setMaxWebSocketMessageSize(maxFrameBytes);
  }

  /**
   * Starts the node's HTTP server as every node runs it: the WebSocket settings of {@link #configure}, the
   * configured address, the request deadline of {@link RequestDeadline} (not on upgraded WebSockets), {@code /ws}
   * handled here and every other request by {@code rest} (the API router).
   * Call from the start of the verticle that owns the server, so that it runs on that verticle's context.
   */
  public Future<HttpServer> listen(Handler<HttpServerRequest> rest) {
    ImConfig config = services.config();
    HttpServerOptions options = configure(new HttpServerOptions(), config.realtime().maxFrameBytes())
        .setHost(config.http().host())
        .setPort(config.http().port() == 0 ? ANY_PORT_SHARED : config.http().port())
        .setTcpNoDelay(true)
        // Without clear-text HTTP/2, a connection is HTTP/1.x from its first byte, so the request deadline starts at
        // accept; with it, Vert.x would first wait, without limit, for bytes that tell the two apart.
        .setHttp2ClearTextEnabled(false);
    long requestTimeoutMs = config.http().requestTimeoutMs();
    return vertx.createHttpServer(options)
        .connectionHandler(connection -> RequestDeadline.install(connection, requestTimeoutMs))
        .requestHandler(request -> {
          if ("/ws".equals(request.path())) {
            handle(request);
          } else {
            rest.handle(request);
          }
        }).listen();
  }

  private void handle(HttpServerRequest request) {
    if (services.sessions().draining()) {
      refuse(request, 503, "this node is shutting down");
      return;
    }
    String origin = request.getHeader("Origin");
    // Browsers always send Origin; native clients need not, and the allow-list protects browser users only.
    if (origin != null && !allowedOrigins.isEmpty() && !allowedOrigins.contains(origin)) {
      LOG.info("websocket refused: origin {} is not allowed", origin);
      refuse(request, 403, "origin not allowed");
      return;
    }
    if (!request.canUpgradeToWebSocket()) {
      refuse(request, 400, "a WebSocket upgrade is expected here");
      return;
    }
    String address = Sessions.address(request.remoteAddress());
    if (!services.sessions().admit(address, services.config().limits().connectionsPerAddress())) {
      LOG.debug("websocket refused: {} is at limits.connectionsPerAddress", address);
      refuse(request, 429, "too many connections from this address");
      return;
    }
    request.toWebSocket()
        .onSuccess(ws -> new WsConnection(ws, services, vertx))
        .onFailure(e -> {
          services.sessions().left(address);
          LOG.debug("websocket upgrade failed: {}", e.toString());
        });
  }

  /** A refused upgrade also ends the connection: the client meant it for a WebSocket, not for more requests. */
  private static void refuse(HttpServerRequest request, int status, String reason) {
    request.response().setStatusCode(status).putHeader("Connection", "close").end(reason)
        .onComplete(v -> request.connection().close());
  }
}
