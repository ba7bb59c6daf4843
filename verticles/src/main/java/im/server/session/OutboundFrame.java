package im.server.session;

import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One server-to-client frame, encoded at most once per transport however many connections it goes to
 * (a group message fans out to many sessions on several event loops).
 *
 * <p>Thread-safe as long as nobody mutates {@code body} after construction: the cached encodings are
 * computed racily, but every thread computes the same value.
 */
public final class OutboundFrame {

  private final Op op;
  private final JsonObject body;
  private volatile String wsText;
  private volatile Buffer tcpBytes;

  public OutboundFrame(Op op, JsonObject body) {
    this.op = op;
    this.body = body;
  }

  public Op op() {
    return op;
  }

  public JsonObject body() {
    return body;
  }

  /** The WebSocket text: the body with the op name in {@code "t"}, written first. */
  public String wsText() {
    String text = wsText;
    if (text == null) {
      String encoded = body.encode();
      String head = "{\"t\":\"" + op.wireName() + "\"";
      text = encoded.length() <= 2 ? head + "}" : head + "," + encoded.substring(1);
      wsText = text;
    }
    return text;
  }

  /** The TCP frame: header and body. The buffer is never mutated, so it may be written to many sockets. */
  public Buffer tcpBytes() {
    Buffer bytes = tcpBytes;
    if (bytes == null) {
      bytes = TcpFrameCodec.encode(op, body);
      tcpBytes = bytes;
    }
    return bytes;
  }
}
