package im.protocol.client;

import im.protocol.ErrorCode;
import im.protocol.Frame;
import im.protocol.ImException;
import im.protocol.JsonFrames;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.TcpFrameDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.function.Consumer;

/**
 * A minimal realtime server for the client's tests: WebSocket on {@code /ws} and TCP, both answering
 * through {@link #respond}. Token "good" authenticates; "send" pushes a msg before its ack; "typing" is
 * echoed without id; "ping" answers pong. Bad input gets bad_request, as in docs/protocol.md §3.
 */
final class FakeServer {

  private static final int MAX_FRAME = 64 * 1024;
  private static final short POLICY_VIOLATION = 1008;

  private HttpServer http;
  private NetServer tcp;

  Future<FakeServer> start(Vertx vertx) {
    http = vertx.createHttpServer().webSocketHandler(this::onWebSocket);
    tcp = vertx.createNetServer().connectHandler(this::onTcp);
    return Future.all(http.listen(0, "127.0.0.1"), tcp.listen(0, "127.0.0.1")).map(this);
  }

  int wsPort() {
    return http.actualPort();
  }

  int tcpPort() {
    return tcp.actualPort();
  }

  private void onWebSocket(ServerWebSocket ws) {
    // Raw frames, so that invalid UTF-8 reaches the strict decoder instead of becoming U+FFFD.
    ws.frameHandler(frame -> {
      if (!frame.isText()) {
        return;
      }
      Consumer<JsonObject> out = body -> ws.writeTextMessage(body.encode());
      try {
        JsonObject body = JsonFrames.parseObject(frame.binaryData());
        Op op = Op.fromName(body.getString("t"));
        if (op == null) {
          throw ImException.badRequest("unknown op");
        }
        respond(op, body, out, () -> ws.close(POLICY_VIOLATION));
      } catch (ImException e) {
        out.accept(error(e.code(), e.getMessage(), null));
      }
    });
  }

  private void onTcp(NetSocket socket) {
    Consumer<JsonObject> out = body -> {
      Op op = Op.fromName((String) body.remove("t"));
      socket.write(TcpFrameCodec.encode(op, body));
    };
    TcpFrameDecoder decoder = new TcpFrameDecoder(MAX_FRAME, new TcpFrameDecoder.Listener() {
      @Override
      public void onFrame(Frame frame) {
        respond(frame.op(), frame.body(), out, socket::close);
      }

      @Override
      public void onBadFrame(String reason) {
        out.accept(error(ErrorCode.BAD_REQUEST, reason, null));
      }

      @Override
      public void onFatal(ErrorCode code, String reason) {
        out.accept(error(code, reason, null));
        socket.close();
      }
    });
    socket.handler(decoder::feed);
  }

  private static void respond(Op op, JsonObject body, Consumer<JsonObject> out, Runnable close) {
    Object id = body.getValue("id");
    switch (op) {
      case AUTH -> {
        if ("good".equals(body.getString("token"))) {
          out.accept(frame(Op.AUTH_OK, id).put("uid", "u1").put("device", body.getString("device")));
        } else {
          out.accept(error(ErrorCode.UNAUTHORIZED, "bad token", id));
          close.run();
        }
      }
      case PING -> out.accept(frame(Op.PONG, id));
      case SEND -> {
        out.accept(frame(Op.MSG, null).put("cmid", body.getString("cmid")).put("seq", 1));
        out.accept(frame(Op.ACK, id).put("cmid", body.getString("cmid")).put("seq", 1));
      }
      case TYPING -> out.accept(frame(Op.TYPING, null).put("conv", body.getString("conv")));
      default -> out.accept(error(ErrorCode.BAD_REQUEST, "unexpected op", id));
    }
  }

  private static JsonObject frame(Op op, Object id) {
    JsonObject frame = new JsonObject().put("t", op.wireName());
    return id == null ? frame : frame.put("id", id);
  }

  private static JsonObject error(ErrorCode code, String message, Object id) {
    return frame(Op.ERROR, id).put("code", code.wireName()).put("message", message);
  }
}
