package im.server.session;

import im.server.presence.PresenceTracker;
import im.shared.routes.RoutingTable;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway's connections tell the session side as they open, sign in and close: keeps
 * {@link LocalSessions} (the device rules within the node), the routing table (a signed-in device is routable
 * to this node) and presence in step, so that no connection writes a route itself.
 *
 * <p>Thread-safe. Each method is called on the connection's own context; {@link #register} completes there.
 */
public final class Sessions {

  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

  private final LocalSessions local;
  private final String nodeId;
  private final RoutingTable routes;
  private final PresenceTracker presence;

  public Sessions(LocalSessions local, String nodeId, RoutingTable routes, PresenceTracker presence) {
    this.local = local;
    this.nodeId = nodeId;
    this.routes = routes;
    this.presence = presence;
  }

  /** The chat rooms joined by this node's connections. */
  public RoomIndex rooms() {
    return local.rooms();
  }

  /** True once the node drains: new connections and sign-ins are refused. */
  public boolean draining() {
    return local.draining();
  }

  /**
   * Counts a socket about to be accepted from {@code address}; call {@link #left} once it is gone.
   *
   * @param cap most sockets from one address on this node ({@code limits.connectionsPerAddress}); 0 = no cap
   * @return false, counting nothing, when the address is at its cap: the socket must be refused
   */
  public boolean admit(String address, int cap) {
    return local.admit(address, cap);
  }

  /** A socket counted by {@link #admit} is gone. */
  public void left(String address) {
    local.left(address);
  }

  /** The IP address of a peer, as {@link #admit} counts it. */
  public static String address(SocketAddress remote) {
    return remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
  }

  /** A new socket, signed in or not: the drain must close it too. */
  public void opened(Connection connection) {
    local.opened(connection);
  }

  /**
   * Adds a connection whose token checked out (replacing or evicting others of its user, see
   * {@link LocalSessions}) and writes its route: it is online once the returned future succeeds, before
   * {@code auth_ok}, so that a message sent right after {@code auth_ok} finds the route.
   *
   * @return the route write, completed on the connection's context
   */
  public Future<Void> register(Connection connection) {
    local.register(connection);
    String uid = connection.uid();
    String device = connection.device();
    return connection.onContext(routes.add(uid, nodeId, device)).andThen(added -> {
      if (added.succeeded()) {
        removeIfClosedMeanwhile(connection);
      }
    });
  }

  /**
   * Writes the route of every signed-in connection of this node again and pokes presence for each user: the routing
   * table lost some of them in a split ({@code HazelcastRoutingTable#onRoutesLost}), and the other side announced
   * those users offline. Adding a route that is there changes nothing.
   */
  public Future<Void> rewriteRoutes() {
    List<Connection> connections = local.all();
    LOG.info("routes: writing the routes of {} connections again", connections.size());
    List<Future<Void>> writes = new ArrayList<>(connections.size());
    for (Connection connection : connections) {
      writes.add(routes.add(connection.uid(), nodeId, connection.device()).onSuccess(added -> {
        removeIfClosedMeanwhile(connection);
        presence.connected(connection.uid());
      }));
    }
    return Future.join(writes).onFailure(e -> LOG.warn("routes: some were not written again: {}", e.toString()))
        .mapEmpty();
  }

  /** Closed while its route was being written: the removal may have run first, so repeat it. */
  private void removeIfClosedMeanwhile(Connection connection) {
    String uid = connection.uid();
    String device = connection.device();
    if (connection.closed().isComplete() && local.sessionsOf(uid).stream().noneMatch(s -> s.device().equals(device))) {
      routes.remove(uid, nodeId, device);
    }
  }

  /** After {@code auth_ok}: presence hears of the connection, then the device rules across nodes apply. */
  public void signedIn(Connection connection) {
    presence.connected(connection.uid());
    local.signedIn(connection);
  }

  /**
   * A registered connection closed: its route goes, unless another connection of the same user and device
   * (the one that replaced it) is still here, and then presence hears of it.
   */
  public void unregister(Connection connection) {
    String uid = connection.uid();
    String device = connection.device();
    if (local.unregister(connection)) {
      routes.remove(uid, nodeId, device)
          .onFailure(e -> LOG.warn("route of {} device {} not removed: {}", uid, device, e.getMessage()))
          .onComplete(removed -> presence.disconnected(uid));
    }
  }

  /** A socket is gone, signed in or not. */
  public void closed(Connection connection) {
    local.closed(connection);
  }
}
