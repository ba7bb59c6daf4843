package im.server.user;

import im.shared.bus.user.BlockList;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
import im.shared.store.SocialStore;
import io.vertx.core.Future;

/**
 * Blocks ({@code docs/protocol.md §4} "Friends and blocks"): a block ends the pair's friendship and pending
 * requests (the store does that in one transaction), and every node's send policy hears of each change. A change
 * (not a repeated block or unblock) is a {@code user.blocked} or {@code user.unblocked} event (docs/events.md).
 * Thread-safe, non-blocking.
 */
public final class Blocks {

  private final SocialStore store;
  private final SendPolicy policy;
  private final EventPublisher events;

  public Blocks(SocialStore store, SendPolicy policy, EventPublisher events) {
    this.store = store;
    this.policy = policy;
    this.events = events;
  }

  public Future<Void> block(String uid, String other) {
    long now = System.currentTimeMillis();
    return store.block(uid, other, now).map(added -> {
      policy.changed(uid, other);
      if (added) {
        events.publish(new DomainEvent.Blocked(uid, other, now));
      }
      return null;
    });
  }

  public Future<Void> unblock(String uid, String other) {
    return store.unblock(uid, other).map(removed -> {
      policy.changed(uid, other);
      if (removed) {
        events.publish(new DomainEvent.Unblocked(uid, other, System.currentTimeMillis()));
      }
      return null;
    });
  }

  public Future<BlockList> list(String uid) {
    return store.blocked(uid).map(uids -> new BlockList(uids.stream().map(String.class::cast).toList()));
  }
}
