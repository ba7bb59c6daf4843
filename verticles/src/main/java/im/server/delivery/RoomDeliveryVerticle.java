package im.server.delivery;

import im.server.session.Connection;
import im.server.session.OutboundFrame;
import im.server.session.RoomIndex;
import im.shared.bus.Addresses;
import im.shared.bus.delivery.RoomDeliverEvent;
import im.shared.bus.delivery.RoomDeliverItem;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's end of room delivery: consumes the published {@link Addresses#ROOMS_DELIVER} (one instance
 * per node) and writes each item's frame to the connections of this node that joined its room, except the
 * connection {@code skip} and the connections of user {@code skipUid}. Writes are batched per event loop
 * ({@link DeliveryBatch}).
 *
 * <p>Threading: events are read on the verticle's context; the writes run on each connection's own.
 */
public final class RoomDeliveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(RoomDeliveryVerticle.class);

  private final RoomIndex rooms;
  private final ImMetrics metrics;
  private MessageConsumer<JsonObject> consumer;

  public RoomDeliveryVerticle(RoomIndex rooms, ImMetrics metrics) {
    this.rooms = rooms;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.ROOMS_DELIVER, message -> dispatch(message.body()));
    return consumer.completion();
  }

  private void dispatch(JsonObject json) {
    RoomDeliverEvent event = RoomDeliverEvent.fromJson(json);
    if (event == null) {
      LOG.warn("room deliver event without items ignored");
      return;
    }
    DeliveryBatch batch = new DeliveryBatch();
    for (RoomDeliverItem item : event.items()) {
      if (!item.wellFormed()) {
        LOG.warn("malformed room deliver item ignored: op {}", item.op());
        continue;
      }
      OutboundFrame frame = new OutboundFrame(item.op(), item.body());
      for (Connection connection : rooms.sessionsIn(item.conv())) {
        if (!connection.connId().equals(item.skip()) && !connection.uid().equals(item.skipUid())) {
          batch.add(connection, frame);
        }
      }
    }
    batch.flush(metrics);
  }
}
