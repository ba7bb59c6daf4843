package im.server.gateway;

import im.protocol.Op;
import im.shared.bus.Addresses;
import im.shared.bus.Events;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's end of room delivery: consumes the published {@link Addresses#ROOMS_DELIVER} (one instance
 * per node) and writes each item's frame to the connections of this node that joined its room, except the
 * connection {@code skip} and the connections of user {@code skipUid}.
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

  private void dispatch(JsonObject event) {
    JsonArray items = event == null ? null : event.getJsonArray(Events.ITEMS);
    if (items == null) {
      LOG.warn("room deliver event without items ignored");
      return;
    }
    Map<Context, List<Runnable>> byContext = new IdentityHashMap<>();
    int delivered = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      Op op = Op.fromName(item.getString(Events.OP));
      JsonObject body = item.getJsonObject(Events.BODY);
      String conv = item.getString(Events.CONV);
      if (op == null || body == null || conv == null) {
        LOG.warn("malformed room deliver item ignored: op {}", item.getValue(Events.OP));
        continue;
      }
      String skip = item.getString(Events.SKIP);
      String skipUid = item.getString(Events.SKIP_UID);
      OutboundFrame frame = new OutboundFrame(op, body);
      for (ClientSession session : rooms.sessionsIn(conv)) {
        if (!session.connId().equals(skip) && !session.uid().equals(skipUid)) {
          byContext.computeIfAbsent(session.context(), c -> new ArrayList<>()).add(() -> session.deliverHere(frame));
          if (op == Op.MSG) {
            delivered++;
          }
        }
      }
    }
    // One hop per event loop with any recipient, not one per connection.
    byContext.forEach((context, writes) -> context.runOnContext(v -> writes.forEach(Runnable::run)));
    if (delivered > 0) {
      metrics.messagesDelivered(delivered);
    }
  }
}
