package im.shared.store;

import im.shared.message.PersistenceBarrier;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who of a batch's offline recipients gets a push, and with which badge (docs/protocol.md §4, Offline push): members
 * who muted the conversation (or left it meanwhile) get none, the badge is the member's total unread over all their
 * conversations, muted ones included — the sum of {@code unread} of the conversation list. One query per batch,
 * whatever its size. Non-blocking.
 *
 * <p>In Kafka mode the messages being pushed may be acked and not stored yet: the badge is counted once the persisters
 * caught up (as the conversation list's unread is). A persister too far behind does not cost the push: it goes out
 * with the badge counted from what is stored.
 */
public final class PushAudience {

  /** $1 uids, $2 convs, pairwise. Only the pairs that push are returned, each with the uid's badge. */
  static final String QUERY =
      "WITH wanted AS (SELECT DISTINCT w.uid, w.conv FROM unnest($1::text[], $2::text[]) AS w(uid, conv)"
          + "   JOIN members x ON x.conv = w.conv AND x.uid = w.uid WHERE NOT x.muted),"
          + " badges AS (SELECT m.uid, sum(" + ConversationStore.UNREAD + ")::int8 AS badge"
          + "   FROM members m JOIN conversations c ON c.conv = m.conv"
          + "   WHERE m.uid IN (SELECT uid FROM wanted) GROUP BY m.uid)"
          + " SELECT w.uid, w.conv, b.badge FROM wanted w JOIN badges b ON b.uid = w.uid";

  /** A recipient of {@code conv}: {@code uid}. */
  public record Recipient(String uid, String conv) {}

  /** The answer for one batch. */
  public record Audience(Set<Recipient> pushed, Map<String, Long> badges) {

    public boolean pushes(String uid, String conv) {
      return pushed.contains(new Recipient(uid, conv));
    }

    public long badge(String uid) {
      return badges.getOrDefault(uid, 0L);
    }
  }

  private final Pool pool;
  private final PersistenceBarrier barrier;

  public PushAudience(Pool pool, PersistenceBarrier barrier) {
    this.pool = pool;
    this.barrier = barrier;
  }

  public Future<Audience> resolve(List<Recipient> recipients) {
    String[] uids = new String[recipients.size()];
    String[] convs = new String[recipients.size()];
    for (int i = 0; i < recipients.size(); i++) {
      uids[i] = recipients.get(i).uid();
      convs[i] = recipients.get(i).conv();
    }
    Tuple params = Tuple.tuple().addValue(uids).addValue(convs);
    return barrier.awaitAll()
        .transform(caughtUpOrNot -> pool.preparedQuery(QUERY).execute(params))
        .map(rows -> {
          Set<Recipient> pushed = new HashSet<>();
          Map<String, Long> badges = new HashMap<>();
          for (Row row : rows) {
            pushed.add(new Recipient(row.getString("uid"), row.getString("conv")));
            badges.put(row.getString("uid"), row.getLong("badge"));
          }
          return new Audience(pushed, badges);
        });
  }
}
