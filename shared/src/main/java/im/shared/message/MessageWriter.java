package im.shared.message;

import im.shared.bus.message.Ack;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL of the message owner: opening a conversation, the group-commit insert, idempotency look-ups
 * and recall. Everything the owner writes goes through here.
 */
public final class MessageWriter {

  /**
   * Stores a whole batch in one statement: rows whose (conv, seq) or (sender, cmid) already exist are
   * skipped (never overwritten), and each conversation's durable seq floor and activity time are raised
   * in the same statement, so they commit together with the rows. So do the counters of the thread roots the
   * inserted comments were posted under (docs/protocol.md §3, Replies and threads): an increment under the row
   * lock, never a read-modify-write, and a skipped duplicate counts nothing. A root stored by the same statement
   * as its comments (a replayed log may batch them together) is invisible to the UPDATE and counts them as it is
   * inserted instead.
   */
  static final String INSERT_BATCH = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int8[],
                             $10::int8[], $11::int8[])
          AS t(conv, seq, mid, sender, device, cmid, kind, body, ts, reply_to, thread)
      ), input_comments AS (
        SELECT conv, thread, count(*) AS n, max(ts) AS ts FROM input WHERE thread IS NOT NULL GROUP BY conv, thread
      ), inserted AS (
        INSERT INTO messages (conv, seq, mid, sender, device, cmid, kind, body, ts, reply_to, thread, reply_count, last_reply_ts)
        SELECT i.conv, i.seq, i.mid, i.sender, i.device, i.cmid, i.kind, i.body::jsonb, i.ts, i.reply_to, i.thread,
               COALESCE(k.n, 0), k.ts
          FROM input i LEFT JOIN input_comments k ON k.conv = i.conv AND k.thread = i.seq
        ON CONFLICT DO NOTHING
        RETURNING conv, seq, ts, thread
      ), raised AS (
        UPDATE conversations c
           SET max_seq = GREATEST(c.max_seq, b.seq), last_ts = GREATEST(COALESCE(c.last_ts, 0), b.ts)
          FROM (SELECT conv, max(seq) AS seq, max(ts) AS ts FROM inserted GROUP BY conv) b
         WHERE c.conv = b.conv
      ), replied AS (
        UPDATE messages r
           SET reply_count = r.reply_count + k.n, last_reply_ts = GREATEST(COALESCE(r.last_reply_ts, 0), k.ts)
          FROM (SELECT conv, thread, count(*) AS n, max(ts) AS ts FROM inserted WHERE thread IS NOT NULL GROUP BY conv, thread) k
         WHERE r.conv = k.conv AND r.seq = k.thread
      )
      SELECT conv, seq FROM inserted""";

  /** The messages that sends of a batch reply to or comment on: ($1 conv, $2 seq) pairs. */
  static final String FIND_REFERENCED = """
      SELECT m.conv, m.seq, m.recalled, m.thread
        FROM messages m
        JOIN unnest($1::text[], $2::int8[]) AS k(conv, seq) ON m.conv = k.conv AND m.seq = k.seq""";

  static final String FIND_BY_CMID = """
      SELECT m.sender, m.cmid, m.conv, m.seq, m.mid, m.ts
        FROM messages m
        JOIN unnest($1::text[], $2::text[]) AS k(sender, cmid) ON m.sender = k.sender AND m.cmid = k.cmid""";

  /**
   * The (sender, cmid) pairs of $1/$2 already stored. Casting the bodies $3 to jsonb makes PostgreSQL refuse the
   * statement exactly when {@link #INSERT_BATCH} would refuse a body, before anything is written anywhere.
   */
  static final String STORED_CMIDS = """
      SELECT m.sender, m.cmid
        FROM unnest($1::text[], $2::text[], $3::text[]::jsonb[]) AS k(sender, cmid, body)
        JOIN messages m ON m.sender = k.sender AND m.cmid = k.cmid""";

  /**
   * Opens a one-to-one conversation: creates it and both memberships when both users exist. Returns how
   * many of the two users exist and the stored floor (null when the conversation was just created here).
   */
  static final String OPEN_P2P = """
      WITH known AS (
        SELECT count(*) AS n FROM users WHERE uid = $2 OR uid = $3
      ), conv AS (
        INSERT INTO conversations (conv, type, created_at)
        SELECT $1, 'p2p', $4 WHERE (SELECT n FROM known) = 2
        ON CONFLICT (conv) DO NOTHING
      ), mem AS (
        INSERT INTO members (conv, uid)
        SELECT $1, u FROM unnest(ARRAY[$2, $3]) AS u WHERE (SELECT n FROM known) = 2
        ON CONFLICT DO NOTHING
      )
      SELECT (SELECT n FROM known) AS users, (SELECT max_seq FROM conversations WHERE conv = $1) AS max_seq""";

  static final String STORED_FLOOR = "SELECT max_seq FROM conversations WHERE conv = $1";

  static final String MAX_STORED_SEQ = "SELECT COALESCE(max(seq), 0) AS seq FROM messages WHERE conv = $1";

  static final String FIND_FOR_RECALL = "SELECT sender, ts, recalled, kind FROM messages WHERE conv = $1 AND seq = $2";

  static final String RECALL = "UPDATE messages SET recalled = true, body = NULL WHERE conv = $1 AND seq = $2";

  /** Deletes what lies below the newest $2 messages of each room of $1. */
  static final String TRIM_ROOMS = """
      DELETE FROM messages d USING (
        SELECT r.conv, (SELECT y.seq FROM messages y WHERE y.conv = r.conv ORDER BY y.seq DESC OFFSET $2 LIMIT 1) AS below
          FROM unnest($1::text[]) AS r(conv)
      ) k
      WHERE d.conv = k.conv AND d.seq <= k.below""";

  /**
   * One message to store. {@code body} is the JSON text of the validated body; {@code replyTo} and {@code thread}
   * are the seqs it quotes or comments on, null when none (checked by the owner before the message got its seq).
   */
  public record NewMessage(String conv, long seq, String mid, String sender, String device, String cmid,
                           String kind, String body, long ts, Long replyTo, Long thread) {}

  /** A message that a reply or comment names, as the owner checks it: whether it is recalled, and its own thread. */
  public record Referenced(boolean recalled, Long thread) {}

  /** A stored message's identity, as its ack gives it. */
  public record StoredAck(String conv, long seq, String mid, long ts) {
    public Ack toAck(String cmid) {
      return new Ack(cmid, conv, seq, mid, ts);
    }
  }

  /** A message as recall needs it. */
  public record RecallTarget(String sender, long ts, boolean recalled, String kind) {}

  private final Pool pool;

  public MessageWriter(Pool pool) {
    this.pool = pool;
  }

  /** @return {@code conv + "\n" + seq} of every row actually inserted (see {@link #key}) */
  public Future<Set<String>> insert(List<NewMessage> batch) {
    int n = batch.size();
    String[] convs = new String[n];
    Long[] seqs = new Long[n];
    String[] mids = new String[n];
    String[] senders = new String[n];
    String[] devices = new String[n];
    String[] cmids = new String[n];
    String[] kinds = new String[n];
    String[] bodies = new String[n];
    Long[] tss = new Long[n];
    Long[] replyTos = new Long[n];
    Long[] threads = new Long[n];
    for (int i = 0; i < n; i++) {
      NewMessage m = batch.get(i);
      convs[i] = m.conv();
      seqs[i] = m.seq();
      mids[i] = m.mid();
      senders[i] = m.sender();
      devices[i] = m.device();
      cmids[i] = m.cmid();
      kinds[i] = m.kind();
      bodies[i] = m.body();
      tss[i] = m.ts();
      replyTos[i] = m.replyTo();
      threads[i] = m.thread();
    }
    Tuple params = Tuple.tuple()
        .addValue(convs).addValue(seqs).addValue(mids).addValue(senders).addValue(devices)
        .addValue(cmids).addValue(kinds).addValue(bodies).addValue(tss).addValue(replyTos).addValue(threads);
    return pool.preparedQuery(INSERT_BATCH).execute(params).map(rows -> {
      Set<String> inserted = new HashSet<>(n * 2);
      for (Row row : rows) {
        inserted.add(key(row.getString(0), row.getLong(1)));
      }
      return inserted;
    });
  }

  public static String key(String conv, long seq) {
    return conv + "\n" + seq;
  }

  /** @return the messages found among these (conv, seq) pairs, keyed by {@link #key} */
  public Future<Map<String, Referenced>> findReferenced(List<String> convs, List<Long> seqs) {
    Tuple params = Tuple.tuple().addValue(convs.toArray(new String[0])).addValue(seqs.toArray(new Long[0]));
    return pool.preparedQuery(FIND_REFERENCED).execute(params).map(rows -> {
      Map<String, Referenced> found = new HashMap<>();
      for (Row row : rows) {
        found.put(key(row.getString(0), row.getLong(1)), new Referenced(row.getBoolean(2), row.getLong(3)));
      }
      return found;
    });
  }

  /** @return stored acks of these (sender, cmid) pairs, keyed by {@code sender + "\n" + cmid} */
  public Future<Map<String, StoredAck>> findByCmid(List<String> senders, List<String> cmids) {
    Tuple params = Tuple.tuple().addValue(senders.toArray(new String[0])).addValue(cmids.toArray(new String[0]));
    return pool.preparedQuery(FIND_BY_CMID).execute(params).map(rows -> {
      Map<String, StoredAck> found = new HashMap<>();
      for (Row row : rows) {
        found.put(row.getString(0) + "\n" + row.getString(1),
            new StoredAck(row.getString(2), row.getLong(3), row.getString(4), row.getLong(5)));
      }
      return found;
    });
  }

  /**
   * What a batch appended elsewhere than PostgreSQL must learn first: fails with the data exception
   * {@link #insert} would raise for a body PostgreSQL cannot store, else returns the {@code sender + "\n" + cmid}
   * of the rows whose (sender, cmid) is already stored.
   */
  public Future<Set<String>> storedCmids(List<NewMessage> rows) {
    Tuple params = Tuple.tuple()
        .addValue(rows.stream().map(NewMessage::sender).toArray(String[]::new))
        .addValue(rows.stream().map(NewMessage::cmid).toArray(String[]::new))
        .addValue(rows.stream().map(NewMessage::body).toArray(String[]::new));
    return pool.preparedQuery(STORED_CMIDS).execute(params).map(found -> {
      Set<String> stored = new HashSet<>();
      for (Row row : found) {
        stored.add(row.getString(0) + "\n" + row.getString(1));
      }
      return stored;
    });
  }

  /**
   * Creates the one-to-one conversation of {@code uidA} and {@code uidB} if needed.
   *
   * @return its durable seq floor, or {@code null} when one of the two users does not exist
   */
  public Future<Long> openP2p(String conv, String uidA, String uidB, long now) {
    return openP2p(pool, conv, uidA, uidB, now);
  }

  /** {@link #openP2p(String, String, String, long)} on any client, e.g. inside the transaction that makes two users friends. */
  public static Future<Long> openP2p(SqlClient client, String conv, String uidA, String uidB, long now) {
    return client.preparedQuery(OPEN_P2P).execute(Tuple.of(conv, uidA, uidB, now)).map(rows -> {
      Row row = rows.iterator().next();
      if (row.getLong("users") != 2) {
        return null;
      }
      Long floor = row.getLong("max_seq");
      return floor == null ? 0L : floor;
    });
  }

  /**
   * The durable seq floor of an existing conversation, without creating it.
   *
   * @return the floor ({@code 0} when no message was stored yet), or {@code null} when there is no such conversation
   */
  public Future<Long> storedFloor(String conv) {
    return pool.preparedQuery(STORED_FLOOR).execute(Tuple.of(conv))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  /** The highest seq stored in {@code conv}: the floor to use after a seq collision. */
  public Future<Long> maxStoredSeq(String conv) {
    return pool.preparedQuery(MAX_STORED_SEQ).execute(Tuple.of(conv)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** @return the message, or null when there is none */
  public Future<RecallTarget> findForRecall(String conv, long seq) {
    return pool.preparedQuery(FIND_FOR_RECALL).execute(Tuple.of(conv, seq)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new RecallTarget(row.getString(0), row.getLong(1), row.getBoolean(2), row.getString(3));
    });
  }

  /** Keeps only the newest {@code keep} messages of each room in {@code rooms}. */
  public Future<Void> trimRooms(List<String> rooms, int keep) {
    return pool.preparedQuery(TRIM_ROOMS).execute(Tuple.tuple().addValue(rooms.toArray(new String[0])).addValue(keep)).mapEmpty();
  }

  public Future<Void> recall(String conv, long seq) {
    return pool.preparedQuery(RECALL).execute(Tuple.of(conv, seq)).mapEmpty();
  }
}
