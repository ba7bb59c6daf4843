package im.shared.routes;

import im.shared.bus.Addresses;
import im.shared.bus.RecordCodec;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link Fanout} over the routing table and node-addressed event-bus delivery: one routes lookup per
 * call, then per node one {@code deliver} event holding every item for that node's users, in the
 * order given (so a node receives a conversation's messages in seq order). The recipients without any route are
 * the offline ones that offline push is for.
 *
 * <p>This node's own event is sent as the record itself ({@link RecordCodec}: no copy of the batch), other nodes'
 * as JSON, which nodes of another version read too.
 */
public final class EventBusFanout implements Fanout {

  private final Vertx vertx;
  private final RoutingTable routes;
  private final String localNodeId;

  public EventBusFanout(Vertx vertx, RoutingTable routes, String localNodeId) {
    this.vertx = vertx;
    this.routes = routes;
    this.localNodeId = localNodeId;
  }

  @Override
  public Future<Void> deliver(List<Delivery> deliveries) {
    return deliverReportingOffline(deliveries).mapEmpty();
  }

  @Override
  public Future<Set<String>> deliverReportingOffline(List<Delivery> deliveries) {
    Set<String> uids = new LinkedHashSet<>();
    deliveries.forEach(delivery -> uids.addAll(delivery.uids()));
    return routes.lookup(uids).map(online -> {
      Map<String, List<DeliverItem>> itemsByNode = new HashMap<>();
      for (Delivery delivery : deliveries) {
        Map<String, List<String>> uidsByNode = new HashMap<>();
        for (String uid : delivery.uids()) {
          Map<String, Set<String>> nodes = online.get(uid);
          if (nodes != null) {
            nodes.keySet().forEach(node -> uidsByNode.computeIfAbsent(node, n -> new ArrayList<>()).add(uid));
          }
        }
        uidsByNode.forEach((node, nodeUids) -> itemsByNode.computeIfAbsent(node, n -> new ArrayList<>())
            .add(new DeliverItem(nodeUids, delivery.skipConn(), delivery.op(), delivery.body())));
      }
      itemsByNode.forEach((node, items) -> {
        DeliverEvent event = new DeliverEvent(items);
        vertx.eventBus().send(Addresses.nodeDeliver(node), node.equals(localNodeId) ? event : event.toJson());
      });
      uids.removeAll(online.keySet());
      return uids;
    });
  }
}
