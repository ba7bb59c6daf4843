package im.shared.routes;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** uid → {node → devices}: where each user's connections are. Soft state; gateways keep it current. */
public interface RoutingTable {

  Future<Void> add(String uid, String nodeId, String device);

  Future<Void> remove(String uid, String nodeId, String device);

  /** @return for each uid that has any route, node id → device ids; offline uids are absent */
  Future<Map<String, Map<String, Set<String>>>> lookup(Collection<String> uids);

  /** Drops every route of a node that has left the cluster. */
  Future<Void> dropNode(String nodeId);
}
