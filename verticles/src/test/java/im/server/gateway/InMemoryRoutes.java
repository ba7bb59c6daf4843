package im.server.gateway;

import im.shared.routes.RoutingTable;
import io.vertx.core.Future;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Our own routing port in memory: the gateway tests check what the sessions write into it. */
final class InMemoryRoutes implements RoutingTable {

  private final Map<String, Map<String, Set<String>>> routes = new ConcurrentHashMap<>();

  @Override
  public synchronized Future<Void> add(String uid, String nodeId, String device) {
    routes.computeIfAbsent(uid, u -> new ConcurrentHashMap<>())
        .computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet())
        .add(device);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> remove(String uid, String nodeId, String device) {
    Map<String, Set<String>> nodes = routes.get(uid);
    if (nodes != null && nodes.containsKey(nodeId)) {
      nodes.get(nodeId).remove(device);
      if (nodes.get(nodeId).isEmpty()) {
        nodes.remove(nodeId);
      }
      if (nodes.isEmpty()) {
        routes.remove(uid);
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Map<String, Map<String, Set<String>>>> lookup(Collection<String> uids) {
    Map<String, Map<String, Set<String>>> found = new HashMap<>();
    for (String uid : uids) {
      Map<String, Set<String>> nodes = routes.get(uid);
      if (nodes != null) {
        Map<String, Set<String>> copy = new HashMap<>();
        nodes.forEach((node, devices) -> copy.put(node, Set.copyOf(devices)));
        found.put(uid, copy);
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public synchronized Future<Void> dropNode(String nodeId) {
    routes.values().forEach(nodes -> nodes.remove(nodeId));
    return Future.succeededFuture();
  }

  synchronized Set<String> devices(String uid, String nodeId) {
    Map<String, Set<String>> nodes = routes.get(uid);
    return nodes == null || !nodes.containsKey(nodeId) ? Set.of() : Set.copyOf(nodes.get(nodeId));
  }
}
