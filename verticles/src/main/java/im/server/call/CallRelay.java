package im.server.call;

import im.protocol.Op;
import im.shared.bus.Addresses;
import im.shared.bus.delivery.DeliverEvent;
import im.shared.bus.delivery.DeliverItem;
import im.shared.routes.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Writes {@code call} frames to chosen devices of a user wherever they are connected: one routes lookup, then the
 * node-addressed delivery of messages ({@link Addresses#nodeDeliver}) with items bound to those devices. A device
 * that reconnected to another node is found there on the next frame. Best effort, like all delivery.
 *
 * <p>Thread-safe.
 */
final class CallRelay {

  private final Vertx vertx;
  private final RoutingTable routes;

  CallRelay(Vertx vertx, RoutingTable routes) {
    this.vertx = vertx;
    this.routes = routes;
  }

  /** Where {@code uid}'s devices are connected: node → devices; empty when the user is offline. */
  Future<Map<String, Set<String>>> devicesOf(String uid) {
    return routes.lookup(List.of(uid)).map(found -> found.getOrDefault(uid, Map.of()));
  }

  /** Sends the frame to the devices of {@code uid} that {@code device} accepts, looking them up first. */
  Future<Void> send(String uid, Predicate<String> device, JsonObject body) {
    return devicesOf(uid).map(where -> {
      send(uid, where, device, body);
      return null;
    });
  }

  /** Sends the frame to the devices of {@code uid}, connected as {@code where} says, that {@code device} accepts. */
  void send(String uid, Map<String, Set<String>> where, Predicate<String> device, JsonObject body) {
    where.forEach((node, devices) -> {
      List<String> chosen = devices.stream().filter(device).toList();
      if (!chosen.isEmpty()) {
        DeliverItem item = DeliverItem.toDevices(uid, chosen, Op.CALL, body);
        vertx.eventBus().send(Addresses.nodeDeliver(node), new DeliverEvent(List.of(item)).toJson());
      }
    });
  }
}
