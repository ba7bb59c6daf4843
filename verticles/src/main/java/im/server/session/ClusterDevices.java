package im.server.session;

import im.shared.bus.Addresses;
import im.shared.bus.session.KickDevice;
import im.shared.bus.session.ListSessions;
import im.shared.routes.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The multi-device rules of docs/protocol.md §3 across nodes; {@link LocalSessions} already applies them within a node.
 * Once a session is signed in and its route written, the routing table tells which other nodes hold
 * connections of the same user. Only then (the common case, a user on one node, costs one routes lookup)
 * are those nodes asked for their sessions of the user with their sign-in times, and:
 * <ol>
 *   <li>a session on another node with the same device that signed in no later than the new one is kicked
 *       {@code replaced};</li>
 *   <li>if the user's sessions on all nodes then exceed {@code maxDevices}, the oldest by sign-in time are
 *       kicked {@code device_limit} (never the new one).</li>
 * </ol>
 * Sign-in times are the nodes' wall clocks, so the order across nodes is as good as their clock sync (NTP:
 * milliseconds). Two sign-ins of one user on two nodes in the same instant may each kick a session the other
 * kept; the user then has fewer devices than allowed, never more for long. A node that does not answer in
 * time is left alone.
 *
 * <p>Threading: {@link #signedIn} is called on the session's context; everything else completes on it too.
 */
public final class ClusterDevices {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterDevices.class);

  private record Held(String node, String device, long since) {}

  private final Vertx vertx;
  private final String nodeId;
  private final RoutingTable routes;
  private final LocalSessions sessions;
  private final int maxDevices;
  private final DeliveryOptions options;

  public ClusterDevices(Vertx vertx, String nodeId, RoutingTable routes, LocalSessions sessions, int maxDevices,
                        long timeoutMs) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.routes = routes;
    this.sessions = sessions;
    this.maxDevices = maxDevices;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Applies the rules for a session that has just signed in here. */
  public void signedIn(Connection session) {
    String uid = session.uid();
    routes.lookup(List.of(uid))
        .compose(found -> {
          Map<String, Set<String>> byNode = found.getOrDefault(uid, Map.of());
          List<String> others = byNode.keySet().stream().filter(node -> !node.equals(nodeId)).toList();
          return others.isEmpty() ? Future.succeededFuture() : enforce(session, others);
        })
        .onFailure(e -> LOG.warn("device limit of {} not checked across nodes: {}", uid, e.toString()));
  }

  private Future<Void> enforce(Connection session, List<String> others) {
    String uid = session.uid();
    List<Future<List<Held>>> asked = others.stream().map(node -> sessionsOn(node, uid)).toList();
    return Future.join(asked).transform(all -> {
      List<Held> held = new ArrayList<>();
      asked.stream().filter(Future::succeeded).forEach(answer -> held.addAll(answer.result()));
      List<Held> remaining = new ArrayList<>();
      for (Held other : held) {
        if (other.device().equals(session.device()) && other.since() <= session.signedInAtMs()) {
          kick(uid, other, "replaced");
        } else {
          remaining.add(other);
        }
      }
      for (Connection local : sessions.sessionsOf(uid)) {
        if (local != session) {
          remaining.add(new Held(nodeId, local.device(), local.signedInAtMs()));
        }
      }
      // The new session counts too, and is never the one to go.
      int excess = remaining.size() + 1 - maxDevices;
      if (excess > 0) {
        remaining.sort(Comparator.comparingLong(Held::since));
        remaining.subList(0, excess).forEach(oldest -> kick(uid, oldest, "device_limit"));
      }
      return Future.<Void>succeededFuture();
    });
  }

  private Future<List<Held>> sessionsOn(String node, String uid) {
    return vertx.eventBus().<JsonObject>request(Addresses.nodeSessions(node), new ListSessions(uid).toJson(), options)
        .map(Message::body)
        .map(reply -> ListSessions.Reply.fromJson(reply).sessions().stream()
            .map(held -> new Held(node, held.device(), held.since()))
            .toList())
        .onFailure(e -> LOG.info("node {} did not list the sessions of {}: {}", node, uid, e.toString()));
  }

  private void kick(String uid, Held held, String reason) {
    LOG.info("kicking {} device {} on node {}: {}", uid, held.device(), held.node(), reason);
    if (held.node().equals(nodeId)) {
      sessions.kickDevice(uid, held.device(), held.since(), reason);
    } else {
      vertx.eventBus().send(Addresses.nodeSessions(held.node()),
          new KickDevice(uid, held.device(), held.since(), reason).toJson());
    }
  }
}
