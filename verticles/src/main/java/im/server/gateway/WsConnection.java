package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.JsonFrames;
import im.protocol.Op;
import im.server.session.OutboundFrame;
import im.server.session.Sessions;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.CharacterCodingException;

/**
 * The WebSocket transport of one connection: unwraps text frames into {@link ClientSession} and enforces
 * RFC 6455 on the way in, since Vert.x alone would accept invalid UTF-8 and oversized
 * fragmented messages.
 *
 * <p>Threading: everything runs on the WebSocket's context.
 */
final class WsConnection implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(WsConnection.class);

  private final ServerWebSocket ws;
  private final int maxMessageBytes;
  private final long pingIntervalMs;
  private final ResendWheel wheel;
  private final ClientSession session;
  /** The text message being assembled from fragments, or null. */
  private Buffer fragments;
  private long lastHeardMs = ResendWheel.nowMs();
  private boolean closed;

  WsConnection(ServerWebSocket ws, GatewayServices services, Vertx vertx) {
    this.ws = ws;
    this.maxMessageBytes = services.realtime().maxFrameBytes();
    this.pingIntervalMs = services.realtime().wsPingIntervalMs();
    this.wheel = ResendWheel.of(vertx, services.realtime());
    this.session = new ClientSession(services, vertx, this);
    FlushCoalescing.install(((WebSocketInternal) ws).channelHandlerContext());
    ws.frameHandler(this::onFrame);
    ws.exceptionHandler(this::onException);
    ws.drainHandler(v -> session.onDrained());
    ws.closeHandler(v -> {
      closed = true;
      session.onClosed();
    });
    wheel.schedule(this::ping, pingIntervalMs);
  }

  @Override
  public String name() {
    return "ws";
  }

  @Override
  public String remoteAddress() {
    return Sessions.address(ws.remoteAddress());
  }

  @Override
  public void write(OutboundFrame frame) {
    if (!closed) {
      ws.writeTextMessage(frame.wsText());
    }
  }

  @Override
  public boolean writeQueueFull() {
    // Vert.x throws once the socket is closed; a closed socket queues nothing more.
    return !closed && !ws.isClosed() && ws.writeQueueFull();
  }

  @Override
  public void pause() {
    ws.pause();
  }

  @Override
  public void resume() {
    ws.resume();
  }

  @Override
  public void close(CloseCode code) {
    if (!closed) {
      ws.close(code.wsStatus());
    }
  }

  @Override
  public void abort() {
    if (!closed) {
      // Closing from the Vert.x handler's own context skips the handler's close, which waits for a flush.
      ((WebSocketInternal) ws).channelHandlerContext().close();
    }
  }

  private void onFrame(WebSocketFrame frame) {
    lastHeardMs = ResendWheel.nowMs();
    switch (frame.type()) {
      case TEXT -> {
        if (frame.isFinal()) {
          onMessage(frame.binaryData());
        } else {
          fragments = frame.binaryData().copy();
        }
      }
      case CONTINUATION -> {
        if (fragments == null) {
          return;
        }
        fragments.appendBuffer(frame.binaryData());
        if (fragments.length() > maxMessageBytes) {
          fragments = null;
          tooLarge();
        } else if (frame.isFinal()) {
          Buffer message = fragments;
          fragments = null;
          onMessage(message);
        }
      }
      case BINARY -> session.onFatal(ErrorCode.BAD_REQUEST, "binary frames are not accepted; send JSON text",
          CloseCode.UNSUPPORTED_DATA);
      default -> { }
    }
  }

  private void onMessage(Buffer bytes) {
    long arrivalNanos = System.nanoTime();
    String text;
    try {
      text = JsonFrames.decodeUtf8Strict(bytes);
    } catch (CharacterCodingException e) {
      session.onFatal(ErrorCode.BAD_REQUEST, "text frame is not valid UTF-8", CloseCode.INVALID_PAYLOAD);
      return;
    }
    JsonObject body;
    try {
      body = JsonFrames.parseObject(text);
    } catch (ImException e) {
      session.onBadFrame(e.getMessage());
      return;
    }
    Object name = body.getValue("t");
    Op op = name instanceof String s ? Op.fromName(s) : null;
    if (op == null) {
      session.onBadFrame(name == null ? "t (the op name) is required" : "unknown op: " + name);
      return;
    }
    session.onFrame(op, body, arrivalNanos);
  }

  /** Netty's decoder refused a frame (too long, RSV bits, bad masking...): close with its RFC 6455 code. */
  private void onException(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupt) {
      int status = corrupt.closeStatus() == null ? CloseCode.PROTOCOL_ERROR.wsStatus() : corrupt.closeStatus().code();
      if (status == CloseCode.MESSAGE_TOO_BIG.wsStatus()) {
        tooLarge();
      } else {
        session.onFatal(ErrorCode.BAD_REQUEST, "WebSocket protocol error: " + corrupt.getMessage(),
            CloseCode.ofWsStatus(status));
      }
    } else {
      LOG.debug("websocket error: {}", failure.toString());
    }
  }

  private void tooLarge() {
    session.onFatal(ErrorCode.TOO_LARGE, "frames are limited to " + maxMessageBytes + " bytes",
        CloseCode.MESSAGE_TOO_BIG);
  }

  /** The server's ping every wsPingIntervalMs; a peer silent for two intervals (no pong either) is gone. */
  private void ping(long nowMs) {
    if (closed) {
      return;
    }
    if (nowMs - lastHeardMs > 2 * pingIntervalMs) {
      LOG.debug("websocket peer silent for {} ms; closing", nowMs - lastHeardMs);
      session.close(CloseCode.GOING_AWAY);
      return;
    }
    ws.writePing(Buffer.buffer());
    wheel.schedule(this::ping, pingIntervalMs);
  }
}
