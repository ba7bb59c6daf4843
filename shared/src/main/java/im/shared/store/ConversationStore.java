package im.shared.store;

import im.protocol.Conv;
import im.protocol.ImException;
import im.shared.message.PersistenceBarrier;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading conversations: a user's list, the history of one, and sync of many (docs/protocol.md §4). Members see no
 * message at or below their {@code join_seq}. Writes belong to the conversation's owner. Non-blocking.
 */
public final class ConversationStore {

  public static final int DEFAULT_HISTORY_LIMIT = 20;
  public static final int MAX_HISTORY_LIMIT = 100;
  public static final int DEFAULT_SYNC_LIMIT = 20;
  public static final int MAX_SYNC_LIMIT = 1000;

  private static final String LAST = "lm_";
  private static final String MSG = "m_";

  /** The other uid of a {@code p:} conversation of member {@code m}. */
  private static final String PEER_UID =
      "CASE WHEN split_part(m.conv, ':', 2) = m.uid THEN split_part(m.conv, ':', 3) ELSE split_part(m.conv, ':', 2) END";

  /** Messages of others above the member's read and join marks; rooms keep no unread counts. */
  static final String UNREAD =
      "CASE WHEN c.type = 'room' OR m.uid IS NULL THEN 0 ELSE (SELECT count(*) FROM messages u"
          + " WHERE u.conv = m.conv AND u.seq > GREATEST(m.read_seq, m.join_seq) AND u.sender <> m.uid) END";

  static final String LIST =
      "SELECT c.conv, c.type, c.name, c.max_seq, m.read_seq, m.muted, COALESCE(c.last_ts, c.created_at) AS updated_at,"
          + " " + UNREAD + " AS unread, pu.display_name AS peer_name, " + MessageRows.columns("lm", LAST)
          + " FROM members m JOIN conversations c ON c.conv = m.conv"
          + " LEFT JOIN users pu ON c.type = 'p2p' AND pu.uid = " + PEER_UID
          + " LEFT JOIN LATERAL (SELECT * FROM messages x WHERE x.conv = m.conv AND x.seq > m.join_seq"
          + "   ORDER BY x.seq DESC LIMIT 1) lm ON true"
          + " WHERE m.uid = $1 ORDER BY updated_at DESC, c.conv";

  static final String MUTE = "UPDATE members SET muted = $3 WHERE conv = $1 AND uid = $2";

  /** Newest first below $2 and above $3; the caller reverses. $4 = limit + 1 to learn hasMore. */
  static final String HISTORY_BEFORE =
      "SELECT " + MessageRows.columns("x", MSG) + " FROM messages x WHERE x.conv = $1 AND x.seq < $2 AND x.seq > $3"
          + " ORDER BY x.seq DESC LIMIT $4";
  /** Oldest first above $2. $3 = limit + 1 to learn hasMore. */
  static final String HISTORY_AFTER =
      "SELECT " + MessageRows.columns("x", MSG) + " FROM messages x WHERE x.conv = $1 AND x.seq > $2"
          + " ORDER BY x.seq ASC LIMIT $3";

  /** Whether message $2 of $1 exists, and its own thread (null unless it is a comment). */
  static final String THREAD_ROOT = "SELECT thread FROM messages WHERE conv = $1 AND seq = $2";
  /** The comments under $2, newest first below $3 and above $4; the caller reverses. $5 = limit + 1. */
  static final String THREAD_BEFORE =
      "SELECT " + MessageRows.columns("x", MSG) + " FROM messages x WHERE x.conv = $1 AND x.thread = $2 AND x.seq < $3"
          + " AND x.seq > $4 ORDER BY x.seq DESC LIMIT $5";
  /** The comments under $2, oldest first above $3. $4 = limit + 1. */
  static final String THREAD_AFTER =
      "SELECT " + MessageRows.columns("x", MSG) + " FROM messages x WHERE x.conv = $1 AND x.thread = $2 AND x.seq > $3"
          + " ORDER BY x.seq ASC LIMIT $4";

  /**
   * The state of every conversation sync asks about: those named ($2 convs, $3 seqs) and, when $4, every other
   * one the user $1 is a member of from seq 0; {@code total} counts the messages the client lacks.
   */
  static final String SYNC_STATE =
      "WITH wanted AS ("
          + " SELECT w.conv, w.seq FROM unnest($2::text[], $3::int8[]) AS w(conv, seq)"
          + " UNION ALL SELECT o.conv, 0 FROM members o WHERE $4 AND o.uid = $1 AND NOT (o.conv = ANY($2::text[])))"
          + " SELECT w.conv, w.seq AS client_seq, c.type, c.max_seq, m.uid IS NOT NULL AS member,"
          + " COALESCE(m.join_seq, 0) AS join_seq, COALESCE(m.read_seq, 0) AS read_seq, " + UNREAD + " AS unread,"
          + " (SELECT count(*) FROM messages t WHERE t.conv = w.conv AND t.seq > GREATEST(w.seq, COALESCE(m.join_seq, 0))) AS total"
          + " FROM wanted w LEFT JOIN conversations c ON c.conv = w.conv"
          + " LEFT JOIN members m ON m.conv = w.conv AND m.uid = $1";

  /** The newest $3 messages above each ($1 conv, $2 seq). */
  static final String SYNC_MESSAGES =
      "SELECT " + MessageRows.columns("x", MSG) + " FROM unnest($1::text[], $2::int8[]) AS w(conv, after)"
          + " CROSS JOIN LATERAL (SELECT * FROM messages y WHERE y.conv = w.conv AND y.seq > w.after"
          + "   ORDER BY y.seq DESC LIMIT $3) x ORDER BY x.conv, x.seq";

  private final Pool pool;
  private final PersistenceBarrier barrier;

  public ConversationStore(Pool pool) {
    this(pool, PersistenceBarrier.NONE);
  }

  /**
   * @param barrier waited for before the list, a history page or a sync is read, so that each includes every message
   *                acked before it was asked for (docs/protocol.md §3, Read your writes) also where the ack comes before
   *                the row (Kafka mode)
   */
  public ConversationStore(Pool pool, PersistenceBarrier barrier) {
    this.pool = pool;
    this.barrier = barrier;
  }

  /** Fails with {@code not_found} or {@code not_member} unless {@code uid} may read {@code conv}. */
  public Future<Void> checkReadable(String uid, String conv) {
    return ConversationAccess.load(pool, uid, conv).mapEmpty();
  }

  /**
   * Mutes or unmutes {@code conv} for member {@code uid} (docs/protocol.md §4): no offline push while muted. Fails
   * like reading it when {@code uid} may not, and with {@code not_member} for a conversation it may read without
   * being a member (a room).
   */
  public Future<Void> mute(String uid, String conv, boolean muted) {
    return pool.preparedQuery(MUTE).execute(Tuple.of(conv, uid, muted)).compose(rows -> rows.rowCount() > 0
        ? Future.<Void>succeededFuture()
        : ConversationAccess.load(pool, uid, conv)
            .compose(readable -> Future.failedFuture(ImException.notMember("not a member of " + conv))));
  }

  /** {@code {conversations:[{conv, type, name, peer?, groupId?, maxSeq, readSeq, unread, muted, lastMessage, updatedAt}]}}, newest activity first. */
  public Future<JsonObject> list(String uid) {
    return barrier.awaitAll().compose(v -> pool.preparedQuery(LIST).execute(Tuple.of(uid))).map(rows -> {
      JsonArray conversations = new JsonArray();
      for (Row row : rows) {
        conversations.add(listItem(uid, row));
      }
      return new JsonObject().put("conversations", conversations);
    });
  }

  private static JsonObject listItem(String uid, Row row) {
    String conv = row.getString("conv");
    JsonObject item = new JsonObject().put("conv", conv).put("type", row.getString("type"));
    String peer = Conv.peerOf(conv, uid);
    // A one-to-one conversation has no name of its own: clients show the peer's.
    item.put("name", peer != null && row.getString("name") == null ? row.getString("peer_name") : row.getString("name"));
    if (peer != null) {
      item.put("peer", peer);
    }
    if (conv.startsWith("g:")) {
      item.put("groupId", conv.substring(2));
    }
    return item
        .put("maxSeq", row.getLong("max_seq"))
        .put("readSeq", row.getLong("read_seq"))
        .put("unread", row.getLong("unread"))
        .put("muted", row.getBoolean("muted"))
        .put("lastMessage", MessageRows.toJson(row, LAST))
        .put("updatedAt", row.getLong("updated_at"));
  }

  /**
   * {@code {messages:[...ascending], hasMore}}: the {@code limit} messages just below {@code before}, just above
   * {@code after}, or the newest when both are null; never any at or below the reader's join seq.
   */
  public Future<JsonObject> history(String uid, String conv, Long before, Long after, int limit) {
    if (before != null && after != null) {
      return Future.failedFuture(ImException.badRequest("give before or after, not both"));
    }
    if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
      return Future.failedFuture(ImException.badRequest("limit must be 1-" + MAX_HISTORY_LIMIT));
    }
    return barrier.awaitConv(conv).compose(v -> ConversationAccess.load(pool, uid, conv)).compose(access -> {
      Future<RowSet<Row>> rows = after != null
          ? pool.preparedQuery(HISTORY_AFTER).execute(Tuple.of(conv, Math.max(after, access.joinSeq()), limit + 1))
          : pool.preparedQuery(HISTORY_BEFORE).execute(
              Tuple.of(conv, before != null ? before : Long.MAX_VALUE, access.joinSeq(), limit + 1));
      return rows.map(found -> page(found, limit, after == null));
    });
  }

  /**
   * {@code {messages:[...ascending], hasMore}}: the comments under message {@code thread} (docs/protocol.md §4), the
   * {@code limit} just below {@code before}, just above {@code after}, or the oldest when both are null; never any
   * at or below the reader's join seq. Fails {@code not_found} when there is no such message and {@code bad_request}
   * when it is itself a comment.
   */
  public Future<JsonObject> thread(String uid, String conv, long thread, Long before, Long after, int limit) {
    if (before != null && after != null) {
      return Future.failedFuture(ImException.badRequest("give before or after, not both"));
    }
    if (limit < 1 || limit > MAX_HISTORY_LIMIT) {
      return Future.failedFuture(ImException.badRequest("limit must be 1-" + MAX_HISTORY_LIMIT));
    }
    return ConversationAccess.load(pool, uid, conv).compose(access -> pool.preparedQuery(THREAD_ROOT)
        .execute(Tuple.of(conv, thread)).compose(root -> {
          if (root.size() == 0) {
            return Future.failedFuture(ImException.notFound("no message " + thread + " in " + conv));
          }
          Long rootThread = root.iterator().next().getLong(0);
          if (rootThread != null) {
            return Future.failedFuture(ImException.badRequest("message " + thread + " is a comment of thread " + rootThread));
          }
          Future<RowSet<Row>> rows = before != null
              ? pool.preparedQuery(THREAD_BEFORE).execute(Tuple.of(conv, thread, before, access.joinSeq(), limit + 1))
              : pool.preparedQuery(THREAD_AFTER).execute(
                  Tuple.of(conv, thread, Math.max(after == null ? 0 : after, access.joinSeq()), limit + 1));
          return rows.map(found -> page(found, limit, before != null));
        }));
  }

  /** Up to {@code limit} messages of {@code found} (which holds one more when there are more), ascending. */
  private static JsonObject page(RowSet<Row> found, int limit, boolean newestFirst) {
    List<JsonObject> messages = new ArrayList<>(found.size());
    found.forEach(row -> messages.add(MessageRows.toJson(row, MSG)));
    boolean hasMore = messages.size() > limit;
    if (hasMore) {
      messages.remove(messages.size() - 1);
    }
    if (newestFirst) {
      Collections.reverse(messages);
    }
    return new JsonObject().put("messages", new JsonArray(new ArrayList<>(messages))).put("hasMore", hasMore);
  }

  /**
   * docs/protocol.md §4 sync in two round trips whatever the number of conversations.
   *
   * @param named conversations the client names, each with the seq it has (no duplicates)
   * @param all   whether to add every other conversation of the user, from seq 0
   * @return {@code {convs:[{conv, maxSeq, readSeq, unread, messages, missing}]}}; fails with {@code not_found} or
   *     {@code not_member} when a named conversation may not be read
   */
  public Future<JsonObject> sync(String uid, Map<String, Long> named, boolean all, int limit) {
    if (limit < 1 || limit > MAX_SYNC_LIMIT) {
      return Future.failedFuture(ImException.badRequest("limit must be 1-" + MAX_SYNC_LIMIT));
    }
    for (String conv : named.keySet()) {
      if (Conv.typeOf(conv) == null) {
        return Future.failedFuture(ConversationAccess.notFound(conv));
      }
    }
    String[] convs = named.keySet().toArray(new String[0]);
    Long[] seqs = named.values().toArray(new Long[0]);
    Tuple params = Tuple.tuple().addValue(uid).addValue(convs).addValue(seqs).addValue(all);
    Future<Void> persisted = !all && convs.length == 1 ? barrier.awaitConv(convs[0]) : barrier.awaitAll();
    return persisted.compose(v -> pool.preparedQuery(SYNC_STATE).execute(params)).compose(rows -> {
      List<SyncState> states = new ArrayList<>(rows.size());
      for (Row row : rows) {
        SyncState state = SyncState.of(row);
        Future<?> refused = state.refusal(uid);
        if (refused != null) {
          return refused.mapEmpty();
        }
        states.add(state);
      }
      return fetchMessages(states, limit).map(messages -> syncReply(states, messages));
    });
  }

  private Future<Map<String, JsonArray>> fetchMessages(List<SyncState> states, int limit) {
    List<String> convs = new ArrayList<>();
    List<Long> afters = new ArrayList<>();
    for (SyncState state : states) {
      if (state.total > 0) {
        convs.add(state.conv);
        afters.add(state.after());
      }
    }
    if (convs.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Tuple params = Tuple.tuple().addValue(convs.toArray(new String[0])).addValue(afters.toArray(new Long[0])).addValue(limit);
    return pool.preparedQuery(SYNC_MESSAGES).execute(params).map(rows -> {
      Map<String, JsonArray> byConv = new HashMap<>();
      for (Row row : rows) {
        JsonObject message = MessageRows.toJson(row, MSG);
        byConv.computeIfAbsent(message.getString("conv"), c -> new JsonArray()).add(message);
      }
      return byConv;
    });
  }

  private static JsonObject syncReply(List<SyncState> states, Map<String, JsonArray> messages) {
    JsonArray convs = new JsonArray();
    for (SyncState state : states) {
      JsonArray found = messages.getOrDefault(state.conv, new JsonArray());
      convs.add(new JsonObject()
          .put("conv", state.conv)
          .put("maxSeq", state.maxSeq)
          .put("readSeq", state.readSeq)
          .put("unread", state.unread)
          .put("messages", found)
          .put("missing", state.total - found.size()));
    }
    return new JsonObject().put("convs", convs);
  }

  /** One row of {@link #SYNC_STATE}; {@code type} is null when the conversation does not exist. */
  private record SyncState(String conv, long clientSeq, Conv.Type type, long maxSeq, boolean member, long joinSeq,
                           long readSeq, long unread, long total) {

    static SyncState of(Row row) {
      String conv = row.getString("conv");
      return new SyncState(conv, row.getLong("client_seq"), row.getString("type") == null ? null : Conv.typeOf(conv),
          row.getLong("max_seq") == null ? 0 : row.getLong("max_seq"), row.getBoolean("member"),
          row.getLong("join_seq"), row.getLong("read_seq"), row.getLong("unread"), row.getLong("total"));
    }

    long after() {
      return Math.max(clientSeq, joinSeq);
    }

    /** @return a failed future when the user may not read this conversation, else null */
    Future<?> refusal(String uid) {
      if (type == null) {
        return Future.failedFuture(ConversationAccess.notFound(conv));
      }
      Future<?> checked = ConversationAccess.check(uid, conv,
          new ConversationAccess.Access(type, maxSeq, member, joinSeq, readSeq));
      return checked.failed() ? checked : null;
    }
  }
}
