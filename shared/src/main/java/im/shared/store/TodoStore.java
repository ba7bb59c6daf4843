package im.shared.store;

import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Message to-dos (docs/protocol.md §4): a member marks a message of a conversation as a to-do for some members; only
 * that member changes or removes it, and each assignee marks it done for themselves. A to-do is shown only while its
 * message is not recalled and its assignee is still a member who can read the message, so a recall or a departure
 * needs no write here. A member who set a to-do and then left no longer holds it: another member may take it over.
 * Non-blocking; safe from any thread.
 */
public final class TodoStore {

  public static final int MAX_ASSIGNEES = 100;
  public static final int DEFAULT_LIST_LIMIT = 100;
  public static final int MAX_LIST_LIMIT = 200;

  /** A to-do just set: who set it and the assignees it did not name before (each to be told). */
  public record Assigned(String conv, long seq, String by, List<String> newAssignees) {}

  /** Whether message $2 of $1 is there and not recalled, and which of the uids $3 are members who can read it. */
  static final String TARGET = """
      SELECT EXISTS (SELECT 1 FROM messages WHERE conv = $1 AND seq = $2 AND NOT recalled) AS present,
             ARRAY(SELECT uid FROM members WHERE conv = $1 AND uid = ANY($3::text[]) AND join_seq < $2) AS members""";

  /**
   * Creates the to-do, or changes it when $3 set it or its setter is no longer a member who can read the message;
   * returns no row when another member holds it. A change by the same member keeps the time it was set.
   */
  static final String UPSERT = """
      INSERT INTO todos AS t (conv, seq, set_by, set_at, due_ts) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (conv, seq) DO UPDATE
         SET set_by = EXCLUDED.set_by, due_ts = EXCLUDED.due_ts,
             set_at = CASE WHEN t.set_by = EXCLUDED.set_by THEN t.set_at ELSE EXCLUDED.set_at END
       WHERE t.set_by = EXCLUDED.set_by
          OR NOT EXISTS (SELECT 1 FROM members m WHERE m.conv = t.conv AND m.uid = t.set_by AND m.join_seq < t.seq)
      RETURNING set_by""";

  static final String DROP_OTHER_ASSIGNEES =
      "DELETE FROM todo_assignees WHERE conv = $1 AND seq = $2 AND NOT (uid = ANY($3::text[]))";

  static final String ADD_ASSIGNEES = """
      INSERT INTO todo_assignees (conv, seq, uid) SELECT $1, $2, u FROM unnest($3::text[]) AS u
      ON CONFLICT DO NOTHING RETURNING uid""";

  static final String REMOVE = "DELETE FROM todos WHERE conv = $1 AND seq = $2 AND set_by = $3";

  static final String EXISTS = "SELECT 1 FROM todos WHERE conv = $1 AND seq = $2";

  static final String MARK_DONE = """
      UPDATE todo_assignees a SET done = $4
        FROM messages x
       WHERE a.conv = $1 AND a.seq = $2 AND a.uid = $3 AND x.conv = a.conv AND x.seq = a.seq AND NOT x.recalled""";

  /** The to-dos of $1 (done or not as $2, both when null), newest first, at most $3. */
  static final String LIST =
      "SELECT t.conv AS t_conv, t.seq AS t_seq, t.set_by, t.set_at, t.due_ts, a.done, " + MessageRows.columns("x", "m_")
          + " FROM todo_assignees a JOIN todos t ON t.conv = a.conv AND t.seq = a.seq"
          + " JOIN members mb ON mb.conv = a.conv AND mb.uid = a.uid AND mb.join_seq < a.seq"
          + " JOIN messages x ON x.conv = a.conv AND x.seq = a.seq AND NOT x.recalled"
          + " WHERE a.uid = $1 AND ($2::boolean IS NULL OR a.done = $2)"
          + " ORDER BY t.set_at DESC, t.conv, t.seq LIMIT $3";

  private final Pool pool;

  public TodoStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Marks message {@code seq} of {@code conv} as a to-do of {@code by} for {@code assignees}, replacing the assignees
   * of an earlier call by the same member (those kept keep their done flag).
   *
   * @return the assignees that were not assigned before
   */
  public Future<Assigned> set(String by, String conv, long seq, List<String> assignees, Long dueTs, long now) {
    String[] uids = assignees.toArray(new String[0]);
    return readableMessage(by, conv, seq, uids).compose(members -> {
      Set<String> strangers = new HashSet<>(assignees);
      strangers.removeAll(members);
      if (!strangers.isEmpty()) {
        return Future.failedFuture(ImException.badRequest("assignees must be members who can read the message: " + strangers));
      }
      return pool.withTransaction(client -> client.preparedQuery(UPSERT)
          .execute(Tuple.of(conv, seq, by, now, dueTs))
          .compose(held -> held.size() == 0
              ? Future.failedFuture(ImException.forbidden("another member set this to-do; only they may change it"))
              : replaceAssignees(client, conv, seq, uids)));
    }).map(added -> new Assigned(conv, seq, by, added));
  }

  /** Removes the to-do {@code by} set on message {@code seq} of {@code conv}. */
  public Future<Void> remove(String by, String conv, long seq) {
    return ConversationAccess.load(pool, by, conv).compose(access -> requireMember(access, conv))
        .compose(access -> pool.preparedQuery(REMOVE).execute(Tuple.of(conv, seq, by)))
        .compose(removed -> removed.rowCount() > 0
            ? Future.<Void>succeededFuture()
            : pool.preparedQuery(EXISTS).execute(Tuple.of(conv, seq)).compose(rows -> Future.failedFuture(rows.size() > 0
                ? ImException.forbidden("another member set this to-do; only they may remove it")
                : ImException.notFound("no to-do on message " + seq + " of " + conv))));
  }

  /** Marks the caller's to-do on message {@code seq} of {@code conv} done or not done. */
  public Future<Void> markDone(String uid, String conv, long seq, boolean done) {
    return ConversationAccess.load(pool, uid, conv).compose(access -> requireMember(access, conv))
        .compose(access -> pool.preparedQuery(MARK_DONE).execute(Tuple.of(conv, seq, uid, done)))
        .compose(marked -> marked.rowCount() > 0
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(ImException.notFound("no to-do of yours on message " + seq + " of " + conv)));
  }

  /** {@code {todos:[{conv, seq, message, assignedBy, assignedAt, dueTs, done}]}}, newest first; {@code done} null for all. */
  public Future<JsonObject> list(String uid, Boolean done, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.of(uid, done, limit)).map(rows -> {
      JsonArray todos = new JsonArray();
      for (Row row : rows) {
        todos.add(new JsonObject()
            .put("conv", row.getString("t_conv"))
            .put("seq", row.getLong("t_seq"))
            .put("message", MessageRows.toJson(row, "m_"))
            .put("assignedBy", row.getString("set_by"))
            .put("assignedAt", row.getLong("set_at"))
            .put("dueTs", row.getLong("due_ts"))
            .put("done", row.getBoolean("done")));
      }
      return new JsonObject().put("todos", todos);
    });
  }

  /**
   * Fails {@code not_found}/{@code not_member} unless {@code uid} is a member of {@code conv} who can read message
   * {@code seq}, and {@code not_found} when it is missing or recalled.
   *
   * @return which of {@code uids} are members who can read it
   */
  private Future<Set<String>> readableMessage(String uid, String conv, long seq, String[] uids) {
    return ConversationAccess.load(pool, uid, conv).compose(access -> requireMember(access, conv)).compose(access -> {
      if (seq <= access.joinSeq()) {
        return Future.failedFuture(noMessage(conv, seq));
      }
      return pool.preparedQuery(TARGET).execute(Tuple.tuple().addValue(conv).addValue(seq).addValue(uids)).compose(rows -> {
        Row row = rows.iterator().next();
        if (!row.getBoolean("present")) {
          return Future.failedFuture(noMessage(conv, seq));
        }
        return Future.succeededFuture(Set.of(row.getArrayOfStrings("members")));
      });
    });
  }

  private static Future<List<String>> replaceAssignees(SqlClient client, String conv, long seq, String[] uids) {
    Tuple params = Tuple.tuple().addValue(conv).addValue(seq).addValue(uids);
    return client.preparedQuery(DROP_OTHER_ASSIGNEES).execute(params)
        .compose(dropped -> client.preparedQuery(ADD_ASSIGNEES).execute(params))
        .map(added -> {
          List<String> uidsAdded = new ArrayList<>(added.size());
          added.forEach(row -> uidsAdded.add(row.getString(0)));
          return uidsAdded;
        });
  }

  /** A room can be read by anyone, but only members keep to-dos. */
  private static Future<ConversationAccess.Access> requireMember(ConversationAccess.Access access, String conv) {
    return access.member()
        ? Future.succeededFuture(access)
        : Future.failedFuture(ImException.notMember("not a member of " + conv));
  }

  private static ImException noMessage(String conv, long seq) {
    return ImException.notFound("no message " + seq + " in " + conv);
  }
}
