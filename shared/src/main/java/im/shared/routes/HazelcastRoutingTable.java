package im.shared.routes;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.PartitionService;
import im.shared.cluster.ClusterSetup;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The routing table in the Hazelcast {@code IMap} {@value #MAP}: uid → node id → device ids.
 *
 * <p>Every update is an entry processor on the uid's partition, so concurrent adds and removes from any
 * nodes never lose each other. Entries expire {@value HazelcastRouteOps#TTL_HOURS} h after their last
 * {@link #add}: a backstop for routes nobody removed (a split cluster); gateways keep long-lived
 * connections' routes alive by adding them again (a later issue). A node that leaves the cluster loses
 * its routes at once: {@link #start} listens to membership and the oldest member drops them.
 *
 * <p>A split cluster loses routes of live connections: each side drops the other side's nodes, a side keeps no copy
 * of the partitions whose every replica was across the split, and the merge keeps the larger side's entry of a uid
 * known to both. {@link #onRoutesLost} tells the node when its own routes may be gone (a partition of the map lost
 * on this side, or this member merged back), so that it writes them again.
 *
 * <p>Threading: one instance per node, shared by all verticles; every method may be called from any
 * thread. Returned futures complete on the caller's Vert.x context (Hazelcast completes its stages on
 * its own threads). Node ids are those of {@link ClusterSetup#nodeIdOf}: routes must be added under the
 * id the node's own member carries, or {@link #dropNode} on leave cannot find them.
 */
public final class HazelcastRoutingTable implements RoutingTable {

  public static final String MAP = "im.routes";

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastRoutingTable.class);
  private static final long REWRITE_DELAY_MS = 500;
  /** Up to this many keys one {@code submitToKeys} is cheaper than one per partition (see {@link #byPartition}). */
  private static final int SINGLE_READ_MAX_KEYS = 8;

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, HashMap<String, HashSet<String>>> routes;
  private final Context context;
  private volatile UUID membershipListener;
  private volatile UUID partitionLostListener;
  private volatile UUID lifecycleListener;
  private volatile Runnable routesLost = () -> { };
  private final AtomicBoolean rewriteScheduled = new AtomicBoolean();

  private volatile Consumer<Set<String>> droppedUsers = uids -> { };

  public HazelcastRoutingTable(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.routes = hazelcast.getMap(MAP);
    this.context = vertx.getOrCreateContext();
  }

  /** Starts dropping the routes of members that leave. */
  public Future<Void> start() {
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        onMemberLeft(event);
      }
    });
    partitionLostListener = routes.addPartitionLostListener(event ->
        routesMayBeLost("partitions of " + MAP + " lost with every replica (a split, or members gone at once)"));
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        routesMayBeLost("this member merged back into the cluster after a split");
      }
    });
    return Future.succeededFuture();
  }

  public Future<Void> close() {
    UUID listener = membershipListener;
    if (listener != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getCluster().removeMembershipListener(listener);
      routes.removePartitionLostListener(partitionLostListener);
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
    }
    membershipListener = null;
    return Future.succeededFuture();
  }

  /**
   * Tells {@code listener} when routes of this node's connections may have been lost (see the class comment): it
   * should {@link #add} them again. Runs on the routing table's context. Set before {@link #start}.
   */
  public void onRoutesLost(Runnable listener) {
    this.routesLost = listener;
  }

  @Override
  public Future<Void> add(String uid, String nodeId, String device) {
    return Future.fromCompletionStage(routes.submitToKey(uid, new HazelcastRouteOps.Add(nodeId, device)), callerContext());
  }

  @Override
  public Future<Void> remove(String uid, String nodeId, String device) {
    return Future.fromCompletionStage(routes.submitToKey(uid, new HazelcastRouteOps.Remove(nodeId, device)), callerContext());
  }

  @Override
  public Future<Map<String, Map<String, Set<String>>>> lookup(Collection<String> uids) {
    if (uids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Set<String> keys = uids instanceof Set<String> set ? set : new HashSet<>(uids);
    if (keys.size() <= SINGLE_READ_MAX_KEYS) {
      return Future.fromCompletionStage(routes.submitToKeys(keys, HazelcastRouteOps.Read.INSTANCE), callerContext())
          .map(HazelcastRoutingTable::present);
    }
    List<CompletableFuture<Map<String, HashMap<String, HashSet<String>>>>> reads = new ArrayList<>();
    for (Set<String> partitionKeys : byPartition(keys)) {
      reads.add(routes.submitToKeys(partitionKeys, HazelcastRouteOps.Read.INSTANCE).toCompletableFuture());
    }
    CompletableFuture<Map<String, Map<String, Set<String>>>> all = CompletableFuture
        .allOf(reads.toArray(CompletableFuture[]::new))
        .thenApply(done -> {
          Map<String, Map<String, Set<String>>> result = new HashMap<>(keys.size() * 2);
          reads.forEach(read -> result.putAll(present(read.join())));
          return result;
        });
    return Future.fromCompletionStage(all, callerContext());
  }

  /**
   * Hazelcast 5.3's {@code submitToKeys} hands every partition it touches the whole key set, and each partition
   * hashes every key to find its own: a read of k keys costs k × (partitions touched), about k² up to 271 partitions
   * (2,000 group members: half a million hashes per fan-out). One read per partition costs k.
   */
  private Collection<Set<String>> byPartition(Set<String> keys) {
    PartitionService partitions = hazelcast.getPartitionService();
    Map<Integer, Set<String>> byPartition = new HashMap<>();
    for (String key : keys) {
      byPartition.computeIfAbsent(partitions.getPartition(key).getPartitionId(), p -> new HashSet<>()).add(key);
    }
    return byPartition.values();
  }

  @Override
  public Future<Void> dropNode(String nodeId) {
    return dropNode(nodeId, callerContext());
  }

  /** {@code executeOnEntries} has no async form: it runs on a worker, unordered, never on an event loop. */
  private Future<Void> dropNode(String nodeId, Context on) {
    return on.executeBlocking(
            () -> routes.executeOnEntries(new HazelcastRouteOps.DropNode(nodeId), new HazelcastRouteOps.OnNode(nodeId)),
            false)
        .map(results -> {
          LOG.info("routes: dropped node {} from {} users", nodeId, results.size());
          Set<String> uids = results.keySet();
          if (!uids.isEmpty()) {
            droppedUsers.accept(Set.copyOf(uids));
          }
          return null;
        });
  }

  /**
   * Tells {@code listener} which users lost routes because their node left the cluster: nobody else hears of
   * those disconnects (presence announces them as offline this way). Runs on the context of the drop.
   */
  public void onUsersDropped(Consumer<Set<String>> listener) {
    this.droppedUsers = listener;
  }

  /**
   * Every surviving member hears of the leave; only the oldest acts, so the map is scanned once. Should
   * the oldest leave at the same moment, the next oldest receives both events and is then the oldest.
   */
  private void onMemberLeft(MembershipEvent event) {
    String nodeId = ClusterSetup.nodeIdOf(event.getMember());
    if (nodeId == null || event.getMembers().isEmpty() || !event.getMembers().iterator().next().localMember()) {
      return;
    }
    dropNode(nodeId, context).onFailure(e -> LOG.warn("routes: could not drop node {}: {}", nodeId, e.toString()));
  }

  /** Partitions are lost one event each, in a burst: one rewrite after the burst. Any thread. */
  private void routesMayBeLost(String why) {
    if (rewriteScheduled.compareAndSet(false, true)) {
      LOG.warn("routes: {}: the node writes its routes again", why);
      context.runOnContext(v -> vertx.setTimer(REWRITE_DELAY_MS, timer -> {
        rewriteScheduled.set(false);
        routesLost.run();
      }));
    }
  }

  private Context callerContext() {
    return vertx.getOrCreateContext();
  }

  private static Map<String, Map<String, Set<String>>> present(Map<String, HashMap<String, HashSet<String>>> found) {
    Map<String, Map<String, Set<String>>> result = new HashMap<>(found.size() * 2);
    found.forEach((uid, nodes) -> {
      if (nodes != null && !nodes.isEmpty()) {
        result.put(uid, Collections.unmodifiableMap(nodes));
      }
    });
    return result;
  }
}
