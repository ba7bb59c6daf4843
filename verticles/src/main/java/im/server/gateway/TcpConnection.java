package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.Frame;
import im.protocol.TcpFrameDecoder;
import im.server.session.OutboundFrame;
import im.server.session.Sessions;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * The TCP transport of one connection: the length-prefixed framing of docs/protocol.md §3, decoded by
 * {@link TcpFrameDecoder} straight into {@link ClientSession}.
 *
 * <p>Threading: everything runs on the socket's context.
 */
final class TcpConnection implements Transport, TcpFrameDecoder.Listener {

  private final NetSocket socket;
  private final ClientSession session;
  private boolean closed;

  TcpConnection(NetSocket socket, GatewayServices services, Vertx vertx) {
    this.socket = socket;
    this.session = new ClientSession(services, vertx, this);
    FlushCoalescing.install(((NetSocketInternal) socket).channelHandlerContext());
    TcpFrameDecoder decoder = new TcpFrameDecoder(services.realtime().maxFrameBytes(), this);
    socket.handler(decoder::feed);
    socket.drainHandler(v -> session.onDrained());
    socket.closeHandler(v -> {
      closed = true;
      session.onClosed();
    });
  }

  @Override
  public String name() {
    return "tcp";
  }

  @Override
  public String remoteAddress() {
    return Sessions.address(socket.remoteAddress());
  }

  @Override
  public void write(OutboundFrame frame) {
    if (!closed) {
      socket.write(frame.tcpBytes());
    }
  }

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public void pause() {
    socket.pause();
  }

  @Override
  public void resume() {
    socket.resume();
  }

  @Override
  public void close(CloseCode code) {
    if (!closed) {
      socket.close();
    }
  }

  @Override
  public void abort() {
    if (!closed) {
      // Closing from the Vert.x handler's own context skips the handler's close, which waits for a flush.
      ((NetSocketInternal) socket).channelHandlerContext().close();
    }
  }

  @Override
  public void onFrame(Frame frame) {
    session.onFrame(frame.op(), frame.body(), System.nanoTime());
  }

  @Override
  public void onBadFrame(String reason) {
    session.onBadFrame(reason);
  }

  @Override
  public void onFatal(ErrorCode code, String reason) {
    session.onFatal(code, reason, code == ErrorCode.TOO_LARGE ? CloseCode.MESSAGE_TOO_BIG : CloseCode.PROTOCOL_ERROR);
  }
}
