package im.server.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Turns the flushes of one event-loop task into one: Vert.x flushes every write, so a fan-out of several messages
 * to one connection, or a group commit's acks to one sender, cost a {@code write} system call each — on loopback the
 * call also runs the receiver's TCP path, and it was 60 % of a node's CPU in group fan-out (docs/architecture.md,
 * "Performance"). Netty's {@link FlushConsolidationHandler} defers a flush outside a read to a task queued behind
 * the current one, so the frames written meanwhile leave in one call; inside a read, Vert.x already flushes once at
 * the read's end.
 */
final class FlushCoalescing {

  private static final String NAME = "im-flush-coalescing";

  private FlushCoalescing() {}

  /** Installs the consolidation under the connection's Vert.x handler, nearest the socket. */
  static void install(ChannelHandlerContext connectionHandler) {
    connectionHandler.pipeline().addFirst(NAME,
        new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
  }
}
