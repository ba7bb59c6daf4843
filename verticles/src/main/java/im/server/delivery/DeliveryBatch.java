package im.server.delivery;

import im.protocol.Op;
import im.server.session.Connection;
import im.server.session.OutboundFrame;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writes of one delivery event, grouped by the event loop of their connection: {@link #flush} hops once onto
 * each context with any recipient, not once per connection, and counts the {@code msg} frames delivered.
 *
 * <p>Not thread-safe: filled and flushed by one consumer call; the writes then run on the connections' contexts.
 */
final class DeliveryBatch {

  private record Write(Connection connection, OutboundFrame frame) {}

  private final Map<Context, List<Write>> byContext = new IdentityHashMap<>();
  private int deliveredMessages;

  void add(Connection connection, OutboundFrame frame) {
    byContext.computeIfAbsent(connection.context(), c -> new ArrayList<>()).add(new Write(connection, frame));
    if (frame.op() == Op.MSG) {
      deliveredMessages++;
    }
  }

  void flush(ImMetrics metrics) {
    byContext.forEach((context, writes) ->
        context.runOnContext(v -> writes.forEach(w -> w.connection().deliver(w.frame()))));
    if (deliveredMessages > 0) {
      metrics.messagesDelivered(deliveredMessages);
    }
  }
}
