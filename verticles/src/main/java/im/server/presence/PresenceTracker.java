package im.server.presence;

import io.vertx.core.Future;

/** What the gateways tell presence about: connections coming and going, and statuses set. Thread-safe. */
public interface PresenceTracker {

  /** {@code uid} has a new authenticated connection (its route is written). */
  void connected(String uid);

  /** A connection of {@code uid} closed (its route is removed). */
  void disconnected(String uid);

  /** {@code presence {status}}: fails with {@code bad_request} for an unknown status. */
  Future<Void> set(String uid, String status);
}
