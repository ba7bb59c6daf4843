package im.server.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.x connection that stays idle, or takes longer than the timeout to send one whole request, headers
 * and body (docs/protocol.md §4, Accounts): a slow-loris client that trickles a byte at a time is not idle, so the
 * server's plain idle timeout would never close it. The clock runs from the connection's opening, or from the end of
 * the previous response, to the last byte of the next request; it stops while the server answers. An upgrade to
 * WebSocket (a {@code 101} written) removes this handler: the realtime heartbeat rules govern that socket from then on.
 *
 * <p>A Netty handler in the connection's pipeline, in front of Vert.x's own; it runs on the connection's event loop
 * only. Its one scheduled task per connection is what Netty's idle handler would keep too.
 */
final class RequestDeadline extends ChannelDuplexHandler {

  private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);
  static final String NAME = "im-request-deadline";
  /** Vert.x's name for its handler at the end of an HTTP/1.x server pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private final long timeoutMs;
  private ScheduledFuture<?> deadline;
  /** Of the exchange under way: whether its request has been read whole, and its response written whole. */
  private boolean requestRead = true;
  private boolean responseWritten = true;

  private RequestDeadline(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Puts a deadline on {@code connection}; call from the server's connection handler. HTTP/2 is left alone. */
  static void install(HttpConnection connection, long timeoutMs) {
    if (connection instanceof HttpServerConnection server
        && server.channelHandlerContext().pipeline().get(VERTX_HANDLER) != null) {
      server.channelHandlerContext().pipeline().addBefore(VERTX_HANDLER, NAME, new RequestDeadline(timeoutMs));
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      // A new exchange; the clock keeps running from where the last one ended.
      requestRead = false;
      responseWritten = false;
    }
    if (msg instanceof LastHttpContent) {
      requestRead = true;
      exchangeMoved(ctx);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
      ctx.pipeline().remove(this);
    } else if (msg instanceof LastHttpContent) {
      responseWritten = true;
      exchangeMoved(ctx);
    }
    super.write(ctx, msg, promise);
  }

  /**
   * The whole request is in and the answer is pending: the server's turn, however long it takes. Both done: the
   * client's turn to send the next request, or to leave. An answer written before the request is whole (an early
   * refusal) leaves the clock running: the client is still sending.
   */
  private void exchangeMoved(ChannelHandlerContext ctx) {
    if (requestRead && responseWritten) {
      arm(ctx);
    } else if (requestRead) {
      disarm();
    }
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    deadline = ctx.executor().schedule(() -> {
      LOG.debug("HTTP connection {} closed: no whole request within {} ms", ctx.channel().remoteAddress(), timeoutMs);
      ctx.close();
    }, timeoutMs, TimeUnit.MILLISECONDS);
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
