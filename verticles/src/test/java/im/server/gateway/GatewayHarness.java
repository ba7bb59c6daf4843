package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.server.delivery.NodeDeliveryVerticle;
import im.server.presence.PresenceTracker;
import im.server.session.LocalSessions;
import im.server.session.Sessions;
import im.shared.Ids;
import im.shared.auth.TokenClaims;
import im.shared.auth.TokenVerifier;
import im.shared.config.ImConfig;
import im.shared.bus.message.Ack;
import im.shared.bus.message.CallCommand;
import im.shared.bus.message.GroupCommand;
import im.shared.bus.message.RecallCommand;
import im.shared.bus.message.SendCommand;
import im.shared.bus.message.TypingCommand;
import im.shared.message.MessageService;
import im.shared.message.ReadService;
import im.shared.metrics.ImMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import im.shared.bus.RecordCodec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's gateways on a plain Vert.x: the TCP verticle, an HTTP server with {@code /ws} mounted by the
 * production code that the HTTP verticle uses, and the delivery consumer. Our own ports (tokens, message
 * owner, read cursors, routes) are small in-test implementations; the end-to-end tests use the real ones.
 */
final class GatewayHarness {

  /** Uids that the in-test message owner refuses to talk to. */
  static final String BLOCKED_PEER = "blocked-peer";
  /** A conversation the in-test read service says the reader is not a member of. */
  static final String FOREIGN_CONV = "g:foreign";

  final Vertx vertx;
  final String nodeId = "node-" + Ids.newId();
  final ImConfig config;
  final InMemoryRoutes routes = new InMemoryRoutes();
  final LocalSessions sessions;
  final ImMetrics metrics = new ImMetrics(new SimpleMeterRegistry());
  final Queue<JsonObject> sends = new ConcurrentLinkedQueue<>();
  final Queue<String> reads = new ConcurrentLinkedQueue<>();
  final GatewayServices services;
  int tcpPort;
  int httpPort;

  private GatewayHarness(Vertx vertx, JsonObject overrides) {
    this.vertx = vertx;
    JsonObject base = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("tcp", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("realtime", new JsonObject()
            .put("maxFrameBytes", 1024)
            .put("authTimeoutMs", 5000)
            .put("resendIntervalMs", 200)
            .put("maxResends", 2)
            .put("maxDevices", 2)
            .put("sendsPerSecond", 1000)
            .put("sendBurst", 1000));
    this.config = ImConfig.of(base.mergeIn(overrides, true));
    this.sessions = new LocalSessions(config.realtime().maxDevices());
    PresenceTracker presence = noPresence();
    this.services = new GatewayServices(config, nodeId, tokens(), messageOwner(), readCursors(), metrics,
        new Sessions(sessions, nodeId, routes, presence), presence);
  }

  static GatewayHarness start(Vertx vertx, JsonObject overrides) throws Exception {
    RecordCodec.register(vertx);
    GatewayHarness harness = new GatewayHarness(vertx, overrides);
    TcpGatewayVerticle tcp = new TcpGatewayVerticle(harness.services);
    WsServerVerticle http = new WsServerVerticle(new WsGateway(vertx, harness.services));
    Future.all(
            vertx.deployVerticle(tcp),
            vertx.deployVerticle(http),
            vertx.deployVerticle(new NodeDeliveryVerticle(harness.nodeId, harness.sessions, harness.metrics)))
        .await(10, TimeUnit.SECONDS);
    harness.tcpPort = tcp.actualPort();
    harness.httpPort = http.server.actualPort();
    return harness;
  }

  /** A connected client of the protocol module, not yet authenticated. */
  TestClient connect(String transport) throws Exception {
    return ImTestClient.connect(vertx, transport, "ws".equals(transport) ? httpPort : tcpPort);
  }

  /** A connected, authenticated client. */
  TestClient signedIn(String transport, String uid, String device) throws Exception {
    TestClient client = connect(transport);
    client.auth(uid, device);
    return client;
  }

  private static TokenVerifier tokens() {
    return token -> token.startsWith("good-")
        ? Future.succeededFuture(new TokenClaims(token.substring(5), token, 0, Long.MAX_VALUE))
        : Future.failedFuture(ImException.unauthorized("bad token"));
  }

  /** Acks every send with a fabricated seq, except sends to {@link #BLOCKED_PEER}. */
  private MessageService messageOwner() {
    AtomicLong seq = new AtomicLong();
    return new MessageService() {
      @Override
      public Future<Ack> send(SendCommand command) {
        sends.add(command.toJson());
        if (command.conv().contains(BLOCKED_PEER)) {
          return Future.failedFuture(new ImException(ErrorCode.BLOCKED, "blocked"));
        }
        long ts = System.currentTimeMillis();
        return Future.succeededFuture(new Ack(command.cmid(), command.conv(), seq.incrementAndGet(), Ids.newMid(ts), ts));
      }

      @Override
      public Future<Void> recall(RecallCommand command) {
        return command.seq() == 404 ? Future.failedFuture(ImException.notFound("no such message")) : Future.succeededFuture();
      }

      @Override
      public Future<Void> changeGroup(GroupCommand command) {
        return Future.failedFuture(ImException.badRequest("no groups in the gateway harness"));
      }

      @Override
      public Future<Void> typing(TypingCommand command) {
        return Future.failedFuture(ImException.badRequest("no typing in the gateway harness"));
      }

      @Override
      public Future<Void> call(CallCommand command) {
        return Future.failedFuture(ImException.badRequest("no calls in the gateway harness"));
      }

      @Override
      public Future<Void> requireRoom(String conv) {
        return Future.failedFuture(ImException.notFound("no rooms in the gateway harness"));
      }
    };
  }

  private ReadService readCursors() {
    return (uid, conv, seq, connId) -> {
      if (FOREIGN_CONV.equals(conv)) {
        return Future.failedFuture(ImException.notMember("not a member"));
      }
      reads.add(uid + " " + conv + " " + seq);
      return Future.succeededFuture();
    };
  }

  /** Presence is tested end to end (PresenceEndToEndTest); here it only accepts what the gateway tells it. */
  private static PresenceTracker noPresence() {
    return new PresenceTracker() {
      @Override
      public void connected(String uid) {
      }

      @Override
      public void disconnected(String uid) {
      }

      @Override
      public Future<Void> set(String uid, String status) {
        return Future.succeededFuture();
      }
    };
  }

  /** The node's HTTP server started the way the HTTP verticle starts it, with no API behind {@code /ws}. */
  static final class WsServerVerticle extends VerticleBase {
    private final WsGateway gateway;
    HttpServer server;

    WsServerVerticle(WsGateway gateway) {
      this.gateway = gateway;
    }

    @Override
    public Future<?> start() {
      return gateway.listen(Router.router(vertx)).onSuccess(listening -> server = listening);
    }
  }
}
