package im.server.gateway;

import im.protocol.Frame;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.client.ImClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * The protocol module's {@link ImClient} read from the test thread: every frame it receives queues up for
 * {@link #next}, in arrival order, whatever its op. Tests of well-formed traffic use it; the raw clients
 * ({@link WsTestClient}, {@link TcpTestClient}) are for frames no client library would send.
 */
final class ImTestClient extends TestClient {

  private final ImClient client;

  private ImTestClient(ImClient client) {
    this.client = client;
    client.recordFrames(false).frameHandler(frame -> received(new Frame(Op.fromName(frame.getString("t")), frame)));
    client.closed().onComplete(v -> closed.complete(null));
  }

  static ImTestClient connect(Vertx vertx, String transport, int port) throws Exception {
    return ("ws".equals(transport) ? ImClient.ws(vertx, "127.0.0.1", port) : ImClient.tcp(vertx, "127.0.0.1", port))
        .map(ImTestClient::new)
        .await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  void send(Op op, JsonObject body) {
    client.send(op, body);
  }

  /** WS: one text frame of exactly these bytes; TCP: a frame of {@code op} whose body is these bytes. */
  @Override
  void sendRaw(Op op, byte[] json) {
    Buffer bytes = Buffer.buffer(json);
    if ("ws".equals(client.transport())) {
      client.sendRaw(bytes);
    } else {
      client.sendRaw(TcpTestClient.header(TcpFrameCodec.HEADER_BYTES + json.length, op.code()).appendBuffer(bytes));
    }
  }

  @Override
  void close() {
    client.close();
  }
}
