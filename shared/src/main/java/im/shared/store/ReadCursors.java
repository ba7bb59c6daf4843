package im.shared.store;

import im.protocol.ImException;
import im.protocol.Op;
import im.shared.message.ReadService;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * Read cursors in {@code members.read_seq}: they only move forward and never past the conversation's
 * {@code max_seq}. An advance is told to every member's devices but the reading connection. Non-blocking.
 */
public final class ReadCursors implements ReadService {

  private static final Logger LOG = LoggerFactory.getLogger(ReadCursors.class);

  /** Advances in one statement and returns the members to tell, so the common case is one round trip. */
  static final String ADVANCE =
      "UPDATE members m SET read_seq = LEAST($3, c.max_seq) FROM conversations c"
          + " WHERE m.conv = $1 AND m.uid = $2 AND c.conv = m.conv AND m.read_seq < LEAST($3, c.max_seq)"
          + " RETURNING m.read_seq, ARRAY(SELECT o.uid FROM members o WHERE o.conv = $1) AS uids";

  private final Pool pool;
  private final Fanout fanout;

  public ReadCursors(Pool pool, Fanout fanout) {
    this.pool = pool;
    this.fanout = fanout;
  }

  @Override
  public Future<Void> markRead(String uid, String conv, long seq, String connId) {
    if (seq < 0) {
      return Future.failedFuture(ImException.badRequest("seq must be 0 or more"));
    }
    return pool.preparedQuery(ADVANCE).execute(Tuple.of(conv, uid, seq)).compose(rows -> {
      if (rows.size() == 0) {
        // Nothing moved: either the cursor is already there, or the reader may not read this conversation.
        return ConversationAccess.load(pool, uid, conv).mapEmpty();
      }
      Row row = rows.iterator().next();
      long readSeq = row.getLong("read_seq");
      JsonObject body = new JsonObject().put("conv", conv).put("uid", uid).put("seq", readSeq);
      return fanout.deliver(new Delivery(Arrays.asList(row.getArrayOfStrings("uids")), Op.READ, body, connId))
          .recover(failure -> {
            LOG.warn("read {} of {} in {} stored but not pushed: {}", readSeq, uid, conv, failure.getMessage());
            return Future.succeededFuture();
          });
    });
  }
}
