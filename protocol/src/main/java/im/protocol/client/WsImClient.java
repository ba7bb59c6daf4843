package im.protocol.client;

import im.protocol.JsonFrames;
import im.protocol.Op;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;

/** {@link ImClient} over {@code ws://host:port/ws}: one JSON object per text frame, op name in {@code "t"}. */
public final class WsImClient extends ImClient {

  /** Generous limits: the client must read whatever the server sends. */
  private static final int MAX_FRAME_BYTES = 1 << 20;
  private static final int MAX_MESSAGE_BYTES = 16 << 20;

  private final WebSocket webSocket;
  private final WebSocketClient ownedClient;
  private volatile Integer closeStatus;

  private WsImClient(Vertx vertx, WebSocket webSocket, WebSocketClient ownedClient) {
    super(vertx);
    this.webSocket = webSocket;
    this.ownedClient = ownedClient;
    webSocket.textMessageHandler(this::onText);
    webSocket.binaryMessageHandler(bytes -> dispatch(malformed("binary message from the server")));
    webSocket.closeHandler(v -> {
      Short status = webSocket.closeStatusCode();
      closeStatus = status == null ? null : status.intValue();
      if (ownedClient != null) {
        ownedClient.close();
      }
      onClosed();
    });
  }

  static WebSocketClient newClient(Vertx vertx) {
    return vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_FRAME_BYTES)
        .setMaxMessageSize(MAX_MESSAGE_BYTES));
  }

  static Future<ImClient> connect(Vertx vertx, WebSocketClient client, boolean owned, String host, int port) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws");
    Future<ImClient> connected = client.connect(options)
        .map(ws -> new WsImClient(vertx, ws, owned ? client : null));
    return owned ? connected.onFailure(e -> client.close()) : connected;
  }

  /** The underlying socket, for tests that need frames this client does not make (binary, ping, close codes). */
  public WebSocket webSocket() {
    return webSocket;
  }

  @Override
  public String transport() {
    return "ws";
  }

  @Override
  Future<Void> write(Op op, JsonObject body) {
    return webSocket.writeTextMessage(body.put("t", op.wireName()).encode());
  }

  @Override
  public void sendRaw(Buffer bytes) {
    // The public factory takes a String and so cannot carry invalid UTF-8, which malformed-input tests need.
    webSocket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes.getBytes(), true));
  }

  @Override
  public Integer closeStatus() {
    return closeStatus;
  }

  @Override
  public void close() {
    webSocket.close();
  }

  private void onText(String text) {
    JsonObject frame;
    try {
      frame = JsonFrames.parseObject(text);
    } catch (RuntimeException e) {
      frame = malformed(e.getMessage());
    }
    dispatch(frame);
  }

  static JsonObject malformed(String reason) {
    return new JsonObject().put("t", MALFORMED).put("reason", reason);
  }
}
