package im.shared.store;

import im.protocol.ImException;
import im.protocol.Op;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
import im.shared.message.ReadService;
import im.shared.message.PersistenceBarrier;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Read cursors in {@code members.read_seq}: they only move forward and never past the conversation's
 * {@code max_seq}. An advance is told to the reader's other devices and, in a one-to-one conversation, to the
 * peer; in a group only to the members whose messages it newly covers (the last {@value #GROUP_RECEIPT_SPAN}
 * seqs of it at most), so a read in a large group costs a few frames, not one per member. Each advance is also a
 * {@code conversation.read} event. Non-blocking.
 */
public final class ReadCursors implements ReadService {

  private static final Logger LOG = LoggerFactory.getLogger(ReadCursors.class);

  /** Advances in one statement and returns the members to tell, so the common case is one round trip. */
  static final String ADVANCE =
      "UPDATE members m SET read_seq = LEAST($3, c.max_seq) FROM conversations c, members was"
          + " WHERE m.conv = $1 AND m.uid = $2 AND c.conv = m.conv AND was.conv = m.conv AND was.uid = m.uid"
          + " AND m.read_seq < LEAST($3, c.max_seq)"
          + " RETURNING m.read_seq, CASE WHEN c.type = 'group' THEN ARRAY("
          + "   SELECT DISTINCT x.sender FROM messages x JOIN members s ON s.conv = x.conv AND s.uid = x.sender"
          + "    WHERE x.conv = $1 AND x.sender <> $2 AND x.kind <> 'system' AND x.seq <= m.read_seq"
          + "      AND x.seq > GREATEST(was.read_seq, m.join_seq, m.read_seq - " + ReadCursors.GROUP_RECEIPT_SPAN + "))"
          + " ELSE ARRAY(SELECT o.uid FROM members o WHERE o.conv = $1) END AS uids";

  /** How far back a group read looks for the senders to tell: bounds the work of one large jump. */
  static final int GROUP_RECEIPT_SPAN = 1000;

  private final Pool pool;
  private final Fanout fanout;
  private final PersistenceBarrier barrier;
  private final EventPublisher events;

  public ReadCursors(Pool pool, Fanout fanout, EventPublisher events) {
    this(pool, fanout, PersistenceBarrier.NONE, events);
  }

  /** @param barrier waited for first, so that a cursor may move up to a seq acked but not yet stored (Kafka mode) */
  public ReadCursors(Pool pool, Fanout fanout, PersistenceBarrier barrier, EventPublisher events) {
    this.pool = pool;
    this.fanout = fanout;
    this.barrier = barrier;
    this.events = events;
  }

  @Override
  public Future<Void> markRead(String uid, String conv, long seq, String connId) {
    if (seq < 0) {
      return Future.failedFuture(ImException.badRequest("seq must be 0 or more"));
    }
    return barrier.awaitConv(conv).compose(v -> pool.preparedQuery(ADVANCE).execute(Tuple.of(conv, uid, seq))).compose(rows -> {
      if (rows.size() == 0) {
        // Nothing moved: either the cursor is already there, or the reader may not read this conversation.
        return ConversationAccess.load(pool, uid, conv).mapEmpty();
      }
      Row row = rows.iterator().next();
      long readSeq = row.getLong("read_seq");
      events.publish(new DomainEvent.ReadAdvanced(conv, uid, readSeq, System.currentTimeMillis()));
      JsonObject body = new JsonObject().put("conv", conv).put("uid", uid).put("seq", readSeq);
      List<String> uids = new ArrayList<>(Arrays.asList(row.getArrayOfStrings("uids")));
      if (!uids.contains(uid)) {
        uids.add(uid);
      }
      return fanout.deliver(new Delivery(uids, Op.READ, body, connId))
          .recover(failure -> {
            LOG.warn("read {} of {} in {} stored but not pushed: {}", readSeq, uid, conv, failure.getMessage());
            return Future.succeededFuture();
          });
    });
  }
}
