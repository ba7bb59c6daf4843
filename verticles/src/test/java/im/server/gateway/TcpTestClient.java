package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.Frame;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.TcpFrameDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.util.concurrent.TimeUnit;

/** A raw TCP client speaking the length-prefixed framing. */
final class TcpTestClient extends TestClient {

  private final NetClient netClient;
  private final NetSocket socket;

  private TcpTestClient(NetClient netClient, NetSocket socket) {
    this.netClient = netClient;
    this.socket = socket;
    TcpFrameDecoder decoder = new TcpFrameDecoder(1 << 20, new TcpFrameDecoder.Listener() {
      @Override
      public void onFrame(Frame frame) {
        received(frame);
      }

      @Override
      public void onBadFrame(String reason) {
        throw new AssertionError("server sent a bad frame: " + reason);
      }

      @Override
      public void onFatal(ErrorCode code, String reason) {
        throw new AssertionError("server broke the framing: " + reason);
      }
    });
    socket.handler(decoder::feed);
    socket.closeHandler(v -> closed.complete(null));
  }

  static TcpTestClient connect(Vertx vertx, int port) throws Exception {
    // The client is kept: Vert.x closes an unreachable NetClient, and its sockets with it, when it is collected.
    NetClient netClient = vertx.createNetClient();
    // Handlers are set on the event loop as the connection completes, so that a close at once is not missed.
    return netClient.connect(port, "127.0.0.1")
        .map(socket -> new TcpTestClient(netClient, socket))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  void send(Op op, JsonObject body) {
    writeRaw(TcpFrameCodec.encode(op, body));
  }

  @Override
  void sendRaw(Op op, byte[] json) {
    writeRaw(header(TcpFrameCodec.HEADER_BYTES + json.length, op.code()).appendBytes(json));
  }

  static Buffer header(long length, int opCode) {
    return Buffer.buffer().appendUnsignedInt(length).appendUnsignedShort(opCode).appendByte((byte) 1).appendByte((byte) 0);
  }

  void writeRaw(Buffer bytes) {
    socket.write(bytes);
  }

  @Override
  void close() {
    netClient.close();
  }
}
