package im.loadtest;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.Frame;
import im.protocol.ImException;
import im.protocol.JsonFrames;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.TcpFrameDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The ceiling the durable path is measured against: a bare in-memory relay of our protocol — the same framing over
 * WebSocket ({@code /ws}) and TCP, {@code auth} taking the token as the uid, {@code send} answered at once with an
 * {@code ack} (a per-conversation counter for {@code seq}) and relayed as {@code msg} to the peer's connections —
 * with no storage, no cluster and no checks. Register and login are answered with uid = username, so the load
 * generator runs against it unchanged. Everything else a client sends is ignored.
 *
 * <p>{@code java -cp im-load-test.jar im.loadtest.Relay [--http-port=8090] [--tcp-port=9090]}
 *
 * <p>Threading: each connection's frames arrive on its event loop; the maps are concurrent and Vert.x sockets may
 * be written from any thread.
 */
public final class Relay {

  private static final int MAX_FRAME_BYTES = 64 * 1024;

  /** How one connection writes a frame. */
  private record Connection(Consumer<Frame> writer) {}

  private final Map<String, CopyOnWriteArrayList<Connection>> byUid = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    Flags flags = Flags.parse(args, Set.of("http-port", "tcp-port"));
    Vertx vertx = Vertx.vertx();
    Relay relay = new Relay();
    relay.listen(vertx, flags.integer("http-port", 8090), flags.integer("tcp-port", 9090))
        .onSuccess(ports -> System.err.println("[relay] listening: http/ws " + ports[0] + ", tcp " + ports[1]))
        .onFailure(failure -> {
          System.err.println("[relay] failed: " + failure);
          System.exit(1);
        });
  }

  /** @return the bound HTTP and TCP ports */
  Future<int[]> listen(Vertx vertx, int httpPort, int tcpPort) {
    var http = vertx.createHttpServer(new HttpServerOptions().setPort(httpPort).setHost("127.0.0.1")
            .setMaxWebSocketFrameSize(MAX_FRAME_BYTES).setTcpNoDelay(true))
        .webSocketHandler(this::webSocket)
        .requestHandler(this::http);
    var tcp = vertx.createNetServer(new NetServerOptions().setPort(tcpPort).setHost("127.0.0.1").setTcpNoDelay(true))
        .connectHandler(this::tcp);
    return Future.all(http.listen(), tcp.listen()).map(both -> new int[] {http.actualPort(), tcp.actualPort()});
  }

  /** Register and login, so that the generator's set-up works: the uid is the username, the token the uid. */
  private void http(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String path = request.path();
      JsonObject reply;
      if (path.endsWith("/auth/register")) {
        String username = body.toJsonObject().getString("username");
        request.response().setStatusCode(201);
        reply = new JsonObject().put("uid", username).put("username", username);
      } else if (path.endsWith("/auth/login")) {
        String username = body.toJsonObject().getString("username");
        reply = new JsonObject().put("token", username).put("uid", username).put("expiresAt", Long.MAX_VALUE);
      } else {
        request.response().setStatusCode(404);
        reply = new JsonObject();
      }
      request.response().putHeader("Content-Type", "application/json").end(reply.encode());
    });
  }

  private void webSocket(ServerWebSocket socket) {
    Session session = new Session(new Connection(frame ->
        socket.writeTextMessage(new JsonObject().put("t", frame.op().wireName()).mergeIn(frame.body()).encode())));
    socket.textMessageHandler(text -> {
      try {
        JsonObject body = JsonFrames.parseObject(text);
        Op op = Op.fromName(body.getString("t"));
        if (op != null) {
          session.onFrame(new Frame(op, body));
        }
      } catch (ImException e) {
        session.error(e.code());
      }
    });
    socket.closeHandler(v -> session.closed());
  }

  private void tcp(NetSocket socket) {
    Session session = new Session(new Connection(frame -> socket.write(TcpFrameCodec.encode(frame.op(), frame.body()))));
    TcpFrameDecoder decoder = new TcpFrameDecoder(MAX_FRAME_BYTES, new TcpFrameDecoder.Listener() {
      @Override
      public void onFrame(Frame frame) {
        session.onFrame(frame);
      }

      @Override
      public void onBadFrame(String reason) {
        session.error(ErrorCode.BAD_REQUEST);
      }

      @Override
      public void onFatal(ErrorCode code, String reason) {
        session.error(code);
        socket.close();
      }
    });
    socket.handler(decoder::feed);
    socket.closeHandler(v -> session.closed());
  }

  /** One connection's protocol: auth, then send and ping; everything else is ignored. */
  private final class Session {
    private final Connection connection;
    private String uid;

    Session(Connection connection) {
      this.connection = connection;
    }

    void onFrame(Frame frame) {
      JsonObject body = frame.body();
      switch (frame.op()) {
        case AUTH -> {
          uid = body.getString("token");
          byUid.computeIfAbsent(uid, u -> new CopyOnWriteArrayList<>()).add(connection);
          JsonObject ok = new JsonObject().put("uid", uid).put("device", body.getString("device")).put("node", "relay")
              .put("serverTime", System.currentTimeMillis()).put("heartbeatMs", 30_000);
          reply(Op.AUTH_OK, body, ok);
        }
        case SEND -> send(body);
        case PING -> reply(Op.PONG, body, new JsonObject());
        default -> { }
      }
    }

    private void send(JsonObject body) {
      String to = body.getString("to");
      String conv = to != null ? Conv.p2p(uid, to) : body.getString("conv");
      long seq = seqs.computeIfAbsent(conv, c -> new AtomicLong()).incrementAndGet();
      long ts = System.currentTimeMillis();
      String mid = conv + ":" + seq;
      String cmid = body.getString("cmid");
      reply(Op.ACK, body, new JsonObject().put("cmid", cmid).put("conv", conv).put("seq", seq).put("mid", mid).put("ts", ts));
      if (to != null) {
        Frame msg = new Frame(Op.MSG, new JsonObject().put("conv", conv).put("seq", seq).put("mid", mid).put("from", uid)
            .put("device", "relay").put("cmid", cmid).put("kind", body.getString("kind"))
            .put("body", body.getJsonObject("body")).put("ts", ts));
        byUid.getOrDefault(to, new CopyOnWriteArrayList<>()).forEach(peer -> peer.writer().accept(msg));
      }
    }

    private void reply(Op op, JsonObject request, JsonObject body) {
      Object id = request.getValue("id");
      connection.writer().accept(new Frame(op, id == null ? body : new JsonObject().put("id", id).mergeIn(body)));
    }

    void error(ErrorCode code) {
      connection.writer().accept(new Frame(Op.ERROR, new JsonObject().put("code", code.wireName()).put("message", "relay")));
    }

    void closed() {
      if (uid != null) {
        byUid.computeIfPresent(uid, (u, list) -> {
          list.remove(connection);
          return list.isEmpty() ? null : list;
        });
      }
    }
  }
}
