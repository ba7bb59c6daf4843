package im.server.message;

import im.shared.bus.message.Ack;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes {@code send} idempotent before the database has to (docs/architecture.md, Message path): a cmid already
 * acked is answered from a bounded cache of recent acks, and a retry that arrives while the first request is
 * still in its batch waits for the same answer. The unique (sender, cmid) index stays the last guard.
 *
 * <p>Threading: the owner's context only.
 */
final class SendDeduplicator {

  private final Map<String, Ack> recentAcks;
  /** key → every request waiting for that send. */
  private final Map<String, List<Promise<Ack>>> inFlight = new HashMap<>();

  SendDeduplicator(int cacheSize) {
    this.recentAcks = lru(cacheSize);
  }

  static <V> Map<String, V> lru(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * Registers a request for {@code key}.
   *
   * @return the request's answer, and whether it is the first request for that key: only then must the caller
   *     store the send and later {@link #answer} or {@link #fail} it
   */
  Admission admit(String key) {
    Ack known = recentAcks.get(key);
    if (known != null) {
      return new Admission(false, Future.succeededFuture(known));
    }
    Promise<Ack> reply = Promise.promise();
    List<Promise<Ack>> waiting = inFlight.get(key);
    if (waiting != null) {
      waiting.add(reply);
      return new Admission(false, reply.future());
    }
    List<Promise<Ack>> waiters = new ArrayList<>(1);
    waiters.add(reply);
    inFlight.put(key, waiters);
    return new Admission(true, reply.future());
  }

  /** Remembers the ack and answers everyone waiting for it. */
  void answer(String key, Ack ack) {
    recentAcks.put(key, ack);
    List<Promise<Ack>> waiters = inFlight.remove(key);
    if (waiters != null) {
      waiters.forEach(waiter -> waiter.complete(ack));
    }
  }

  /** Fails everyone waiting; the next retry of the cmid starts afresh. */
  void fail(String key, Throwable failure) {
    List<Promise<Ack>> waiters = inFlight.remove(key);
    if (waiters != null) {
      waiters.forEach(waiter -> waiter.fail(failure));
    }
  }

  /** A request's answer, and whether it was the first for its key. */
  record Admission(boolean first, Future<Ack> reply) {}
}
