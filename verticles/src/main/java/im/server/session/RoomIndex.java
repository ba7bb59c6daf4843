package im.server.session;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connections of this node have joined which chat rooms (docs/protocol.md §3, rooms). Room membership is per
 * connection and lives only as long as it: nothing is stored, and a closed connection leaves its rooms.
 *
 * <p>Thread-safe: sessions join and leave on their own contexts, deliveries read from any thread.
 */
public final class RoomIndex {

  private final Map<String, Set<Connection>> byRoom = new ConcurrentHashMap<>();

  public void join(String conv, Connection session) {
    byRoom.computeIfAbsent(conv, c -> ConcurrentHashMap.newKeySet()).add(session);
  }

  public void leave(String conv, Connection session) {
    byRoom.computeIfPresent(conv, (c, sessions) -> {
      sessions.remove(session);
      return sessions.isEmpty() ? null : sessions;
    });
  }

  /** The connections of this node in {@code conv}; a snapshot. */
  public List<Connection> sessionsIn(String conv) {
    Set<Connection> sessions = byRoom.get(conv);
    return sessions == null ? List.of() : List.copyOf(sessions);
  }

  /** How many connections of this node have joined {@code conv}. */
  public int size(String conv) {
    Set<Connection> sessions = byRoom.get(conv);
    return sessions == null ? 0 : sessions.size();
  }
}
