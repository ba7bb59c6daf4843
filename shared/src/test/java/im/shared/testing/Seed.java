package im.shared.testing;

import im.protocol.Conv;
import im.shared.Ids;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** Writes rows straight into the schema, the way the message owner will, with fresh ids. Blocking: tests only. */
public final class Seed {

  private final Pool pool;

  public Seed(Pool pool) {
    this.pool = pool;
  }

  public String user() {
    String uid = Ids.newUid();
    String username = "u" + Ids.newId().replace('-', '_').toLowerCase();
    pool.preparedQuery("INSERT INTO users (uid, username, username_key, password_hash, display_name, created_at)"
            + " VALUES ($1, $2, $2, 'x', $3, 0)")
        .execute(Tuple.of(uid, username, "Name " + username)).await();
    return uid;
  }

  public String p2p(String a, String b, long createdAt) {
    String conv = Conv.p2p(a, b);
    conversation(conv, "p2p", null, createdAt);
    member(conv, a, 0);
    member(conv, b, 0);
    return conv;
  }

  public String group(String name, long createdAt, String... uids) {
    String conv = Conv.group(Ids.newId());
    conversation(conv, "group", name, createdAt);
    for (String uid : uids) {
      member(conv, uid, 0);
    }
    return conv;
  }

  public void conversation(String conv, String type, String name, long createdAt) {
    pool.preparedQuery("INSERT INTO conversations (conv, type, name, created_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(conv, type, name, createdAt)).await();
  }

  public void member(String conv, String uid, long joinSeq) {
    pool.preparedQuery("INSERT INTO members (conv, uid, join_seq) VALUES ($1, $2, $3)")
        .execute(Tuple.of(conv, uid, joinSeq)).await();
  }

  /** Text messages {@code from..to} by {@code sender} at ts = seq * 1000 + base, raising max_seq and last_ts. */
  public void messages(String conv, String sender, long from, long to, long baseTs) {
    for (long seq = from; seq <= to; seq++) {
      pool.preparedQuery("INSERT INTO messages (conv, seq, mid, sender, device, cmid, kind, body, ts)"
              + " VALUES ($1, $2, $3, $4, 'd1', $5, 'text', $6, $7)")
          .execute(Tuple.of(conv, seq, Ids.newMid(baseTs + seq), sender, Ids.newId(),
              new JsonObject().put("text", "m" + seq), baseTs + seq * 1000))
          .await();
    }
    pool.preparedQuery("UPDATE conversations SET max_seq = GREATEST(max_seq, $2), last_ts = $3 WHERE conv = $1")
        .execute(Tuple.of(conv, to, baseTs + to * 1000)).await();
  }

  public void recall(String conv, long seq) {
    pool.preparedQuery("UPDATE messages SET recalled = true, body = NULL WHERE conv = $1 AND seq = $2")
        .execute(Tuple.of(conv, seq)).await();
  }

  public void read(String conv, String uid, long seq) {
    pool.preparedQuery("UPDATE members SET read_seq = $3 WHERE conv = $1 AND uid = $2")
        .execute(Tuple.of(conv, uid, seq)).await();
  }
}
