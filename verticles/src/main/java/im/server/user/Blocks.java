package im.server.user;

import im.shared.bus.user.BlockList;
import im.shared.store.SocialStore;
import io.vertx.core.Future;

/**
 * Blocks ({@code docs/protocol.md §4} "Friends and blocks"): a block ends the pair's friendship and pending
 * requests (the store does that in one transaction), and every node's send policy hears of each change.
 * Thread-safe, non-blocking.
 */
public final class Blocks {

  private final SocialStore store;
  private final SendPolicy policy;

  public Blocks(SocialStore store, SendPolicy policy) {
    this.store = store;
    this.policy = policy;
  }

  public Future<Void> block(String uid, String other) {
    return store.block(uid, other, System.currentTimeMillis()).onSuccess(v -> policy.changed(uid, other));
  }

  public Future<Void> unblock(String uid, String other) {
    return store.unblock(uid, other).onSuccess(v -> policy.changed(uid, other));
  }

  public Future<BlockList> list(String uid) {
    return store.blocked(uid).map(uids -> new BlockList(uids.stream().map(String.class::cast).toList()));
  }
}
