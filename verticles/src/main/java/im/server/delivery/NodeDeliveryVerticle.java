package im.server.delivery;

import im.server.session.Connection;
import im.server.session.LocalSessions;
import im.server.session.OutboundFrame;
import im.shared.bus.Addresses;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of the fan-out: consumes {@link Addresses#nodeDeliver} (cluster-wide, once per node:
 * deploy one instance) and writes each item's frame to the local sessions of its users, except the
 * connection {@code skip} (and, for an item bound to devices, to those devices only). Writes are batched per event loop ({@link DeliveryBatch}).
 *
 * <p>Threading: events are read on the verticle's context; the writes run on each connection's own.
 */
public final class NodeDeliveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDeliveryVerticle.class);

  private final String nodeId;
  private final LocalSessions sessions;
  private final ImMetrics metrics;
  private MessageConsumer<Object> consumer;

  public NodeDeliveryVerticle(String nodeId, LocalSessions sessions, ImMetrics metrics) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeDeliver(nodeId), message -> dispatch(message.body()));
    // Registration is cluster-wide and asynchronous: a fan-out sent before it completes would be lost.
    return consumer.completion();
  }

  /** This node's fan-out sends the record, other nodes its JSON ({@link im.shared.routes.EventBusFanout}). */
  private void dispatch(Object body) {
    DeliverEvent event = body instanceof DeliverEvent sent ? sent
        : body instanceof JsonObject json ? DeliverEvent.fromJson(json) : null;
    if (event == null) {
      LOG.warn("deliver event without items ignored");
      return;
    }
    DeliveryBatch batch = new DeliveryBatch();
    for (DeliverItem item : event.items()) {
      if (!item.wellFormed()) {
        LOG.warn("malformed deliver item ignored: op {}", item.op());
        continue;
      }
      OutboundFrame frame = new OutboundFrame(item.op(), item.body());
      for (String uid : item.uids()) {
        for (Connection connection : sessions.sessionsOf(uid)) {
          if (!connection.connId().equals(item.skip()) && item.reaches(connection.device())) {
            batch.add(connection, frame);
          }
        }
      }
    }
    batch.flush(metrics);
  }
}
