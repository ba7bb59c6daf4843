package im.shared.store;

import im.protocol.Conv;
import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Who may read a conversation: a {@code p:} one only its two users, and only once it exists; a {@code g:} one
 * its members; an {@code r:} one any signed-in user (docs/protocol.md §3 rooms). Unknown and foreign one-to-one
 * conversations are both {@code not_found}, so their existence does not leak.
 */
final class ConversationAccess {

  /** A user's standing in a conversation; the seqs are 0 when {@code member} is false. */
  record Access(Conv.Type type, long maxSeq, boolean member, long joinSeq, long readSeq) {}

  static final String QUERY =
      "SELECT c.type, c.max_seq, m.uid IS NOT NULL AS member, COALESCE(m.join_seq, 0) AS join_seq,"
          + " COALESCE(m.read_seq, 0) AS read_seq"
          + " FROM conversations c LEFT JOIN members m ON m.conv = c.conv AND m.uid = $2 WHERE c.conv = $1";

  private ConversationAccess() {}

  static Future<Access> load(Pool pool, String uid, String conv) {
    Conv.Type type = Conv.typeOf(conv);
    if (type == null || (type == Conv.Type.P2P && Conv.peerOf(conv, uid) == null)) {
      return Future.failedFuture(notFound(conv));
    }
    return pool.preparedQuery(QUERY).execute(Tuple.of(conv, uid)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(notFound(conv));
      }
      Row row = rows.iterator().next();
      Access access = new Access(type, row.getLong("max_seq"), row.getBoolean("member"),
          row.getLong("join_seq"), row.getLong("read_seq"));
      return check(uid, conv, access);
    });
  }

  /** Applies the rule to a loaded row: the access itself, or {@code not_found}/{@code not_member}. */
  static Future<Access> check(String uid, String conv, Access access) {
    if (access.type() == Conv.Type.P2P && Conv.peerOf(conv, uid) == null) {
      return Future.failedFuture(notFound(conv));
    }
    if (access.type() == Conv.Type.GROUP && !access.member()) {
      return Future.failedFuture(ImException.notMember("not a member of " + conv));
    }
    return Future.succeededFuture(access);
  }

  static ImException notFound(String conv) {
    return ImException.notFound("no conversation " + conv);
  }
}
