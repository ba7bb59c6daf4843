package im.server.user;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.user.SocialChanged;
import im.shared.store.SocialStore;
import im.shared.store.SocialStore.PairState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may send in a one-to-one conversation: nobody across a block (either way), and with
 * {@code p2p.requireFriendship} only friends. Answered from a bounded node-local cache of each pair's state,
 * loaded from PostgreSQL on a miss, so the hot path makes no database round trip. Changes are published on
 * {@link Addresses#SOCIAL_CHANGED} as {@link SocialChanged} and every node drops the pair; a TTL bounds the life
 * of an entry whose invalidation was lost (the event bus is best effort).
 *
 * <p>Part of the user package's API next to {@link UserClient}, but called directly rather than over the bus:
 * the message owner asks it on every one-to-one send, where a bus hop to {@link UserVerticle} would only add
 * latency to an answer that is almost always in this node's cache ({@code docs/architecture.md}, "Message path").
 * The user service's writes keep it current through {@link #changed}.
 *
 * <p>Invalidation is race-free: the entry (a future) is stored before its query starts, so a change committed
 * before the query is read by it, and one committed after removes the entry.
 *
 * <p>Threading: thread-safe; {@link #check} may be called from any context. Its future completes on the
 * context that loaded the entry (callers hop back to their own).
 */
public final class SendPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(SendPolicy.class);
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  public static final long DEFAULT_TTL_MS = 5 * 60_000;

  private record Entry(Future<PairState> state, long expiresAtMs) {}

  private final Vertx vertx;
  private final SocialStore store;
  private final boolean requireFriendship;
  private final int maxEntries;
  private final long ttlMs;
  private final ConcurrentHashMap<String, Entry> pairs = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> consumer;

  public SendPolicy(Vertx vertx, SocialStore store, boolean requireFriendship) {
    this(vertx, store, requireFriendship, DEFAULT_MAX_ENTRIES, DEFAULT_TTL_MS);
  }

  public SendPolicy(Vertx vertx, SocialStore store, boolean requireFriendship, int maxEntries, long ttlMs) {
    this.vertx = vertx;
    this.store = store;
    this.requireFriendship = requireFriendship;
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  /** Starts consuming invalidations; completes once the cluster-wide registration is done. */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(Addresses.SOCIAL_CHANGED, message -> {
      SocialChanged change = SocialChanged.fromJson(message.body());
      if (change != null) {
        forget(change.a(), change.b());
      }
    });
    return consumer.completion();
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /**
   * Succeeds when {@code sender} may send in {@code conv}; fails with {@code blocked} or {@code not_friends}.
   * Conversations other than one-to-one ones, and those the sender is not part of, pass: the owner judges them.
   */
  public Future<Void> check(String sender, String conv) {
    String[] members = Conv.p2pMembers(conv);
    if (members == null || Conv.peerOf(conv, sender) == null) {
      return Future.succeededFuture();
    }
    boolean senderIsA = members[0].equals(sender);
    return state(conv, members).compose(state -> {
      boolean senderBlocks = senderIsA ? state.aBlocksB() : state.bBlocksA();
      boolean peerBlocks = senderIsA ? state.bBlocksA() : state.aBlocksB();
      if (peerBlocks) {
        return Future.failedFuture(new ImException(ErrorCode.BLOCKED, "this user has blocked you"));
      }
      if (senderBlocks) {
        return Future.failedFuture(new ImException(ErrorCode.BLOCKED, "you have blocked this user; unblock to send"));
      }
      if (requireFriendship && !state.friends()) {
        return Future.failedFuture(new ImException(ErrorCode.NOT_FRIENDS, "only friends may send one-to-one messages"));
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The pair's friendship or blocks changed (already committed): drops it here at once, so this node reads its
   * own writes, and tells every other node.
   */
  public void changed(String a, String b) {
    forget(a, b);
    vertx.eventBus().publish(Addresses.SOCIAL_CHANGED, new SocialChanged(a, b).toJson());
  }

  /** Cached pairs; for tests and metrics. */
  public int size() {
    return pairs.size();
  }

  private void forget(String a, String b) {
    pairs.remove(Conv.p2p(a, b));
  }

  private Future<PairState> state(String conv, String[] members) {
    long now = System.currentTimeMillis();
    Entry entry = pairs.get(conv);
    if (entry != null && entry.expiresAtMs() > now) {
      return entry.state();
    }
    return load(conv, members, now, entry);
  }

  private Future<PairState> load(String conv, String[] members, long now, Entry stale) {
    Promise<PairState> promise = Promise.promise();
    Entry mine = new Entry(promise.future(), now + ttlMs);
    boolean stored = stale == null ? pairs.putIfAbsent(conv, mine) == null : pairs.replace(conv, stale, mine);
    if (!stored) {
      // Another caller stored an entry in between: use it (or, if that was removed too, ask once more).
      Entry other = pairs.get(conv);
      return other != null ? other.state() : store.pairState(members[0], members[1]);
    }
    evictIfFull();
    store.pairState(members[0], members[1]).onComplete(result -> {
      if (result.failed()) {
        pairs.remove(conv, mine);
        LOG.warn("send policy of {} not loaded: {}", conv, result.cause().getMessage());
        promise.fail(ImException.unavailable("cannot check blocks now; retry with the same cmid"));
      } else {
        promise.complete(result.result());
      }
    });
    return promise.future();
  }

  /** Bounded: past the limit, a tenth of the entries go, whichever the map yields first (no LRU bookkeeping). */
  private void evictIfFull() {
    if (pairs.size() <= maxEntries) {
      return;
    }
    int excess = pairs.size() - maxEntries + maxEntries / 10;
    Iterator<String> keys = pairs.keySet().iterator();
    while (excess-- > 0 && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }
}
