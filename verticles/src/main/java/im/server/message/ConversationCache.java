package im.server.message;

import im.protocol.Conv;
import im.protocol.ImException;
import im.shared.message.MessageWriter;
import im.shared.message.PersistenceBarrier;
import im.shared.store.GroupStore;
import io.vertx.core.Future;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The conversations an owner instance serves, loaded on first use (a new one-to-one conversation is created then,
 * by {@link #get} only: a send creates it, typing and recall never do) and kept in a bounded LRU. An entry is a future, so concurrent commands share one load; a failed load is
 * forgotten so that the next command retries.
 *
 * <p>Threading: the owner's context only.
 */
final class ConversationCache {

  private final MessageWriter writer;
  private final GroupStore groups;
  private final PersistenceBarrier barrier;
  private final Map<String, Future<ConvState>> conversations;

  /**
   * @param barrier waited for before a conversation's durable floor is read: in Kafka mode the floor lags the log,
   *                and a floor below a seq already acked would let the seq counter, re-seeded from it, hand that seq
   *                out again
   */
  ConversationCache(MessageWriter writer, GroupStore groups, PersistenceBarrier barrier, int capacity) {
    this.writer = writer;
    this.groups = groups;
    this.barrier = barrier;
    this.conversations = SendDeduplicator.lru(capacity);
  }

  /**
   * The conversation's state. Whether {@code sender} may use a group is the caller's check
   * ({@link ConvState#isMember}); a one-to-one conversation {@code sender} is not part of fails {@code not_member}.
   */
  Future<ConvState> get(String conv, String sender) {
    Conv.Type type = Conv.typeOf(conv);
    if (type == null) {
      return Future.failedFuture(ImException.notFound("no such conversation: " + conv));
    }
    if (type != Conv.Type.P2P) {
      return cached(conv, () -> barrier.awaitConv(conv).compose(v -> groups.load(conv)).map(loaded -> {
        if (loaded == null || loaded.type() != type) {
          throw ImException.notFound("no such conversation: " + conv);
        }
        return type == Conv.Type.GROUP
            ? ConvState.group(loaded.name(), loaded.roles(), loaded.maxSeq())
            : ConvState.room(loaded.name(), loaded.maxSeq());
      }));
    }
    String peer = Conv.peerOf(conv, sender);
    if (peer == null) {
      return Future.failedFuture(ImException.notMember("not a member of " + conv));
    }
    String[] members = Conv.p2pMembers(conv);
    return cached(conv, () -> barrier.awaitConv(conv)
        .compose(v -> writer.openP2p(conv, members[0], members[1], System.currentTimeMillis()))
        .map(floor -> {
          if (floor == null) {
            throw ImException.notFound("no such user: " + peer);
          }
          return ConvState.p2p(List.of(members), floor);
        }));
  }

  /**
   * Like {@link #get}, but never creates a conversation: a one-to-one conversation counts as existing once a
   * message is stored in it (docs/protocol.md §3, Typing); before that, or for a stranger, {@code not_member}.
   * Only what exists is cached, so made-up ids leave nothing behind.
   */
  Future<ConvState> existing(String conv, String sender) {
    if (Conv.typeOf(conv) != Conv.Type.P2P) {
      return get(conv, sender);
    }
    String[] members = Conv.p2pMembers(conv);
    if (Conv.peerOf(conv, sender) == null) {
      return Future.failedFuture(ImException.notMember("not a member of " + conv));
    }
    Future<ConvState> known = conversations.get(conv);
    Future<ConvState> state = known != null
        ? known
        : barrier.awaitConv(conv).compose(v -> writer.storedFloor(conv)).map(floor -> floor == null ? null : ConvState.p2p(List.of(members), floor));
    return state.compose(found -> {
      if (found == null || found.floor <= 0) {
        return Future.failedFuture(ImException.notMember("no message in " + conv + " yet"));
      }
      if (known == null) {
        conversations.putIfAbsent(conv, Future.succeededFuture(found));
      }
      return Future.succeededFuture(found);
    });
  }

  boolean contains(String conv) {
    return conversations.containsKey(conv);
  }

  void put(String conv, ConvState state) {
    conversations.put(conv, Future.succeededFuture(state));
  }

  /** Drops a conversation whose state may be wrong (a group change that was not stored): the next use reloads it. */
  void forget(String conv) {
    conversations.remove(conv);
  }

  /** Ownership may have moved: a conversation that went away and came back may have advanced elsewhere. */
  void clear() {
    conversations.clear();
  }

  private Future<ConvState> cached(String conv, Supplier<Future<ConvState>> load) {
    Future<ConvState> known = conversations.get(conv);
    if (known != null) {
      return known;
    }
    Future<ConvState> loading = load.get();
    conversations.put(conv, loading);
    loading.onFailure(failure -> conversations.remove(conv, loading));
    return loading;
  }
}
