package im.server.message;

import im.shared.bus.Addresses;
import im.shared.bus.delivery.RoomDeliverEvent;
import im.shared.bus.delivery.RoomDeliverItem;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The owner's fan-out, in commit order (docs/architecture.md, Fan-out and delivery): frames to members go through
 * the {@link Fanout} (one routes lookup, one event per node), frames to a room are published to every node, whose
 * gateways know which connections joined it. Each fan-out starts after the previous one has been handed over: they
 * look up routes asynchronously, and two in parallel could overtake each other. The same lookup tells which members
 * are offline: with offline push on, they are handed to {@link OfflinePushes}.
 *
 * <p>Threading: the owner's context only. Delivery is best effort; recipients that miss a frame sync.
 */
final class OrderedFanout {

  private static final Logger LOG = LoggerFactory.getLogger(OrderedFanout.class);

  private final Vertx vertx;
  private final Fanout fanout;
  /** Null when offline push is off. */
  private final OfflinePushes pushes;
  private Future<Void> tail = Future.succeededFuture();

  OrderedFanout(Vertx vertx, Fanout fanout, OfflinePushes pushes) {
    this.vertx = vertx;
    this.fanout = fanout;
    this.pushes = pushes;
  }

  void deliver(List<Delivery> deliveries, List<RoomDeliverItem> roomItems) {
    deliver(deliveries, roomItems, List.of());
  }

  /**
   * @param pushable the stored messages among {@code deliveries} whose offline recipients get a push; the routes
   *                 lookup of this fan-out tells who is offline
   */
  void deliver(List<Delivery> deliveries, List<RoomDeliverItem> roomItems, List<PendingSend> pushable) {
    tail = tail.transform(previous -> {
      if (!roomItems.isEmpty()) {
        vertx.eventBus().publish(Addresses.ROOMS_DELIVER, new RoomDeliverEvent(roomItems).toJson());
      }
      if (deliveries.isEmpty()) {
        return Future.<Void>succeededFuture();
      }
      Future<Void> delivered = pushes == null || pushable.isEmpty()
          ? fanout.deliver(deliveries)
          : fanout.deliverReportingOffline(deliveries).map(offline -> {
            pushes.offline(pushable, offline);
            return null;
          });
      return delivered
          .onFailure(failure -> LOG.warn("fan-out of {} frames failed (recipients will sync): {}", deliveries.size(), failure.toString()))
          .otherwiseEmpty();
    });
  }
}
