package im.shared.message;

import io.vertx.core.Future;

/**
 * Read-your-writes where the ack comes before the row (docs/architecture.md, Kafka mode): a reader of PostgreSQL
 * first waits, bounded, until every message acked before it asked is stored there. The owner waits the same way
 * before it reads a conversation's durable seq floor, so that a floor read after an ownership move or a lost Redis
 * key is never below a seq already acked.
 *
 * <p>Threading: call from a Vert.x context; the futures complete on it.
 */
public interface PersistenceBarrier {

  /** Direct mode: an ack means the row is committed, so there is never anything to wait for. */
  PersistenceBarrier NONE = new PersistenceBarrier() {
    @Override
    public Future<Void> awaitConv(String conv) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> awaitAll() {
      return Future.succeededFuture();
    }
  };

  /** Completes once PostgreSQL holds every message of {@code conv} acked so far; fails {@code unavailable} if not soon. */
  Future<Void> awaitConv(String conv);

  /** Like {@link #awaitConv}, for every conversation: what a conversation list or a full sync reads. */
  Future<Void> awaitAll();
}
