package im.protocol.client;

import im.protocol.ErrorCode;
import im.protocol.Frame;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.TcpFrameDecoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/** {@link ImClient} over the TCP gateway: 8-byte header framing, op from the header code. */
public final class TcpImClient extends ImClient {

  /** Generous: the client must read whatever the server sends. */
  private static final int MAX_FRAME_BYTES = 16 << 20;

  private final NetSocket socket;

  private TcpImClient(Vertx vertx, NetSocket socket, NetClient ownedClient) {
    super(vertx);
    this.socket = socket;
    TcpFrameDecoder decoder = new TcpFrameDecoder(MAX_FRAME_BYTES, new TcpFrameDecoder.Listener() {
      @Override
      public void onFrame(Frame frame) {
        dispatch(frame.body().put("t", frame.op().wireName()));
      }

      @Override
      public void onBadFrame(String reason) {
        dispatch(WsImClient.malformed(reason));
      }

      @Override
      public void onFatal(ErrorCode code, String reason) {
        dispatch(WsImClient.malformed(reason));
        socket.close();
      }
    });
    socket.handler(decoder::feed);
    socket.closeHandler(v -> {
      if (ownedClient != null) {
        ownedClient.close();
      }
      onClosed();
    });
  }

  static Future<ImClient> connect(Vertx vertx, NetClient client, boolean owned, String host, int port) {
    Future<ImClient> connected = client.connect(port, host)
        .map(socket -> new TcpImClient(vertx, socket, owned ? client : null));
    return owned ? connected.onFailure(e -> client.close()) : connected;
  }

  /** The underlying socket, for tests that need to write or observe bytes directly. */
  public NetSocket socket() {
    return socket;
  }

  @Override
  public String transport() {
    return "tcp";
  }

  @Override
  Future<Void> write(Op op, JsonObject body) {
    return socket.write(TcpFrameCodec.encode(op, body));
  }

  @Override
  public void sendRaw(Buffer bytes) {
    socket.write(bytes);
  }

  @Override
  public Integer closeStatus() {
    return null;
  }

  @Override
  public void close() {
    socket.close();
  }
}
