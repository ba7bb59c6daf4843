package im.server.gateway;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which connections of this node have joined which chat rooms (PROTOCOL §3 rooms). Room membership is per
 * connection and lives only as long as it: nothing is stored, and a closed connection leaves its rooms.
 *
 * <p>Thread-safe: sessions join and leave on their own contexts, deliveries read from any thread.
 */
public final class RoomIndex {

  private final Map<String, Set<ClientSession>> byRoom = new ConcurrentHashMap<>();

  void join(String conv, ClientSession session) {
    byRoom.computeIfAbsent(conv, c -> ConcurrentHashMap.newKeySet()).add(session);
  }

  void leave(String conv, ClientSession session) {
    byRoom.computeIfPresent(conv, (c, sessions) -> {
      sessions.remove(session);
      return sessions.isEmpty() ? null : sessions;
    });
  }

  /** The connections of this node in {@code conv}; a snapshot. */
  List<ClientSession> sessionsIn(String conv) {
    Set<ClientSession> sessions = byRoom.get(conv);
    return sessions == null ? List.of() : List.copyOf(sessions);
  }

  /** How many connections of this node have joined {@code conv}. */
  public int size(String conv) {
    Set<ClientSession> sessions = byRoom.get(conv);
    return sessions == null ? 0 : sessions.size();
  }
}
