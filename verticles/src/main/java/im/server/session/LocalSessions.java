package im.server.session;

import im.shared.auth.AccessTokens;
import im.shared.bus.session.TokensRevoked;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The authenticated connections of this node, by uid: shared by every gateway verticle instance of the
 * node (WebSocket and TCP alike) and by the delivery consumer.
 *
 * <p>Thread-safe. Each user's sessions are an immutable array replaced atomically, so the hot read
 * ({@link #sessionsOf}, once per delivered frame) takes no lock. Sessions are kicked on their own context.
 */
public final class LocalSessions {

  private static final Connection[] NONE = new Connection[0];

  private final int maxDevices;
  private final Map<String, Connection[]> byUid = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perTransport = new ConcurrentHashMap<>();
  /** Open sockets per client address; an address leaves the map with its last socket. */
  private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
  /** Every open connection, signed in or not: the drain must close them all, since Vert.x leaves WebSockets open. */
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;
  private volatile Consumer<Connection> signedInListener = session -> { };
  private final RoomIndex rooms = new RoomIndex();

  public LocalSessions(int maxDevices) {
    if (maxDevices < 1) {
      throw new IllegalArgumentException("maxDevices must be at least 1");
    }
    this.maxDevices = maxDevices;
  }

  /** See {@link Sessions#admit}. */
  boolean admit(String address, int cap) {
    boolean[] admitted = {false};
    perAddress.compute(address, (key, open) -> {
      int count = open == null ? 0 : open;
      if (cap > 0 && count >= cap) {
        return open;
      }
      admitted[0] = true;
      return count + 1;
    });
    return admitted[0];
  }

  void left(String address) {
    perAddress.computeIfPresent(address, (key, open) -> open <= 1 ? null : open - 1);
  }

  void opened(Connection session) {
    connections.add(session);
  }

  void closed(Connection session) {
    connections.remove(session);
  }

  /**
   * Adds an authenticated session. A session of the same user and device is replaced (kicked
   * {@code replaced}); past {@code maxDevices} the oldest of the user's sessions is kicked {@code device_limit}.
   */
  void register(Connection session) {
    List<Connection> replaced = new ArrayList<>(1);
    List<Connection> overLimit = new ArrayList<>(1);
    byUid.compute(session.uid(), (uid, current) -> {
      List<Connection> kept = new ArrayList<>(current == null ? 1 : current.length + 1);
      if (current != null) {
        for (Connection existing : current) {
          if (existing.device().equals(session.device())) {
            replaced.add(existing);
          } else {
            kept.add(existing);
          }
        }
      }
      // Registration order is age order: the head is the oldest.
      while (kept.size() >= maxDevices) {
        overLimit.add(kept.remove(0));
      }
      kept.add(session);
      return kept.toArray(NONE);
    });
    counter(session.transport()).incrementAndGet();
    replaced.forEach(old -> removed(old, "replaced"));
    overLimit.forEach(old -> removed(old, "device_limit"));
  }

  /**
   * Hears every session once it is signed in and its route is written: where the device rules of docs/protocol.md §3
   * are enforced across nodes ({@link ClusterDevices}). Set once, before the gateways start.
   */
  public void onSignedIn(Consumer<Connection> listener) {
    this.signedInListener = listener;
  }

  /** Called by a session after {@code auth_ok}, on its context. */
  void signedIn(Connection session) {
    signedInListener.accept(session);
  }

  /**
   * Kicks this node's session of {@code uid} on {@code device} if it signed in no later than {@code notAfterMs}
   * (a newer one is a reconnect that must stay).
   *
   * @return how many were kicked
   */
  public int kickDevice(String uid, String device, long notAfterMs, String reason) {
    int kicked = 0;
    for (Connection session : sessionsOf(uid)) {
      if (session.device().equals(device) && session.signedInAtMs() <= notAfterMs) {
        session.kick(reason);
        kicked++;
      }
    }
    return kicked;
  }

  private void removed(Connection session, String reason) {
    counter(session.transport()).decrementAndGet();
    session.kick(reason);
  }

  /**
   * Removes a closed session.
   *
   * @return whether the node's route for this session's device should go: false when another session of the
   *     same user and device (the one that replaced it) is still here
   */
  boolean unregister(Connection session) {
    boolean[] removed = {false};
    boolean[] deviceStillHere = {false};
    byUid.computeIfPresent(session.uid(), (uid, current) -> {
      List<Connection> kept = new ArrayList<>(current.length);
      for (Connection existing : current) {
        if (existing == session) {
          removed[0] = true;
        } else {
          kept.add(existing);
          deviceStillHere[0] |= existing.device().equals(session.device());
        }
      }
      return kept.isEmpty() ? null : kept.toArray(NONE);
    });
    if (removed[0]) {
      counter(session.transport()).decrementAndGet();
    }
    return !deviceStillHere[0];
  }

  /** The chat rooms joined by this node's connections. */
  public RoomIndex rooms() {
    return rooms;
  }

  /** The user's sessions on this node, oldest first; a snapshot, never null. */
  public List<Connection> sessionsOf(String uid) {
    Connection[] sessions = byUid.get(uid);
    return sessions == null ? List.of() : Arrays.asList(sessions);
  }

  /**
   * Kicks this node's sessions whose tokens {@code event} revokes, with reason {@code logout} or {@code closed}
   * (docs/protocol.md §4 accounts).
   *
   * @return how many were kicked
   */
  public int kickRevoked(TokensRevoked event) {
    int kicked = 0;
    for (Connection session : sessionsOf(event.uid())) {
      if (AccessTokens.revokes(event, session.token())) {
        session.kick(event.kickReason());
        kicked++;
      }
    }
    return kicked;
  }

  /** Sends {@code kicked {reason}} to every session of the user on this node and closes them. */
  public int kickUser(String uid, String reason) {
    Connection[] sessions = byUid.get(uid);
    if (sessions == null) {
      return 0;
    }
    for (Connection session : sessions) {
      session.kick(reason);
    }
    return sessions.length;
  }

  /** Every authenticated session of the node; a snapshot. */
  public List<Connection> all() {
    List<Connection> all = new ArrayList<>();
    byUid.values().forEach(sessions -> all.addAll(Arrays.asList(sessions)));
    return all;
  }

  /** Authenticated sessions of one transport ({@code "ws"} or {@code "tcp"}). */
  public int count(String transport) {
    AtomicInteger count = perTransport.get(transport);
    return count == null ? 0 : count.get();
  }

  /**
   * SIGTERM: from now on the gateways accept no connection and no {@code auth}; every connection (signed in
   * or not) gets {@code kicked {"reason":"shutdown"}} and is closed after its pending writes.
   *
   * @return completes once every kicked connection has closed (the caller bounds the wait)
   */
  public Future<Void> drain() {
    draining = true;
    List<Connection> sessions = List.copyOf(connections);
    sessions.forEach(session -> session.kick("shutdown"));
    return Future.join(sessions.stream().map(Connection::closed).toList()).mapEmpty();
  }

  /** True once {@link #drain} has started: new connections and {@code auth} are refused. */
  public boolean draining() {
    return draining;
  }

  private AtomicInteger counter(String transport) {
    return perTransport.computeIfAbsent(transport, t -> new AtomicInteger());
  }
}
