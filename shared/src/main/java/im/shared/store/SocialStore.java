package im.shared.store;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.Ids;
import im.shared.message.MessageWriter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Friend requests, friendships and blocks (tables of V2). Every change to a pair of users runs in one
 * transaction holding that pair's advisory lock, so a request, an accept and a block of the same two users
 * never interleave. Non-blocking.
 */
public final class SocialStore {

  /** What a friend request did. */
  public sealed interface RequestOutcome {
    String requestId();
  }

  /** A request now pending; {@code created} is false when the same request was already pending. */
  public record Pending(String requestId, boolean created, long createdAt) implements RequestOutcome {}

  /** The target had already asked the sender: both are now friends, and {@code conv} is open. */
  public record AutoAccepted(String requestId, String conv) implements RequestOutcome {}

  /** An accepted request: who asked, and the one-to-one conversation now open. */
  public record Accepted(String requester, String conv) {}

  /** A friend as the friend list shows it; {@code lastSeen} may be null. */
  public record Friend(String uid, String username, String displayName, Long lastSeen) {}

  /** The state of a pair as the send policy needs it; {@code a} and {@code b} in {@link Conv#p2pMembers} order. */
  public record PairState(boolean aBlocksB, boolean bBlocksA, boolean friends) {}

  static final String LOCK_PAIR = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

  static final String REQUEST_STATE = """
      SELECT EXISTS (SELECT 1 FROM users WHERE uid = $2) AS target_exists,
             EXISTS (SELECT 1 FROM blocks WHERE uid = $2 AND blocked = $1) AS blocked_by_target,
             EXISTS (SELECT 1 FROM blocks WHERE uid = $1 AND blocked = $2) AS blocking_target,
             EXISTS (SELECT 1 FROM friendships WHERE uid = $1 AND friend = $2) AS friends,
             (SELECT request_id FROM friend_requests WHERE from_uid = $2 AND to_uid = $1) AS reverse_id,
             (SELECT request_id FROM friend_requests WHERE from_uid = $1 AND to_uid = $2) AS same_id,
             (SELECT created_at FROM friend_requests WHERE from_uid = $1 AND to_uid = $2) AS same_created_at""";

  static final String INSERT_REQUEST =
      "INSERT INTO friend_requests (request_id, from_uid, to_uid, message, created_at) VALUES ($1, $2, $3, $4, $5)";

  static final String FIND_REQUEST = "SELECT from_uid, to_uid FROM friend_requests WHERE request_id = $1";

  static final String DELETE_PAIR_REQUESTS = """
      DELETE FROM friend_requests
       WHERE (from_uid = $1 AND to_uid = $2) OR (from_uid = $2 AND to_uid = $1)
      RETURNING request_id""";

  static final String REJECT = "DELETE FROM friend_requests WHERE request_id = $1 AND to_uid = $2 RETURNING from_uid";

  static final String INSERT_FRIENDSHIP = """
      INSERT INTO friendships (uid, friend, since) VALUES ($1, $2, $3), ($2, $1, $3)
      ON CONFLICT DO NOTHING""";

  static final String DELETE_FRIENDSHIP =
      "DELETE FROM friendships WHERE (uid = $1 AND friend = $2) OR (uid = $2 AND friend = $1) RETURNING uid";

  static final String INCOMING = """
      SELECT request_id, from_uid, message, created_at FROM friend_requests
       WHERE to_uid = $1 ORDER BY created_at, request_id""";

  static final String FRIENDS = """
      SELECT u.uid, u.username, u.display_name, u.last_seen
        FROM friendships f JOIN users u ON u.uid = f.friend
       WHERE f.uid = $1 ORDER BY u.username_key""";

  static final String FRIEND_UIDS = "SELECT friend FROM friendships WHERE uid = $1";

  static final String USER_EXISTS = "SELECT EXISTS (SELECT 1 FROM users WHERE uid = $1)";

  static final String INSERT_BLOCK =
      "INSERT INTO blocks (uid, blocked, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

  static final String DELETE_BLOCK = "DELETE FROM blocks WHERE uid = $1 AND blocked = $2";

  static final String BLOCKED = "SELECT blocked FROM blocks WHERE uid = $1 ORDER BY created_at, blocked";

  static final String PAIR_STATE = """
      SELECT EXISTS (SELECT 1 FROM blocks WHERE uid = $1 AND blocked = $2) AS a_blocks_b,
             EXISTS (SELECT 1 FROM blocks WHERE uid = $2 AND blocked = $1) AS b_blocks_a,
             EXISTS (SELECT 1 FROM friendships WHERE uid = $1 AND friend = $2) AS friends""";

  static final String SET_LAST_SEEN = "UPDATE users SET last_seen = GREATEST(COALESCE(last_seen, 0), $2) WHERE uid = $1";

  private final Pool pool;

  public SocialStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * {@code from} asks {@code to} to be friends. Fails with {@code bad_request} (oneself), {@code not_found}
   * (no such user), {@code blocked} (a block either way) or {@code conflict} (already friends).
   */
  public Future<RequestOutcome> request(String from, String to, String message, long now) {
    if (from.equals(to)) {
      return Future.failedFuture(ImException.badRequest("cannot befriend yourself"));
    }
    return pool.withTransaction(conn -> lockPair(conn, from, to)
        .compose(v -> conn.preparedQuery(REQUEST_STATE).execute(Tuple.of(from, to)))
        .compose(rows -> {
          Row state = rows.iterator().next();
          if (!state.getBoolean("target_exists")) {
            return Future.failedFuture(ImException.notFound("no such user: " + to));
          }
          if (state.getBoolean("blocked_by_target")) {
            return Future.failedFuture(new ImException(ErrorCode.BLOCKED, "this user has blocked you"));
          }
          if (state.getBoolean("blocking_target")) {
            return Future.failedFuture(new ImException(ErrorCode.BLOCKED, "you have blocked this user; unblock first"));
          }
          if (state.getBoolean("friends")) {
            return Future.failedFuture(new ImException(ErrorCode.CONFLICT, "already friends"));
          }
          String reverse = state.getString("reverse_id");
          if (reverse != null) {
            return befriend(conn, from, to, now).map(conv -> (RequestOutcome) new AutoAccepted(reverse, conv));
          }
          String same = state.getString("same_id");
          if (same != null) {
            return Future.succeededFuture(new Pending(same, false, state.getLong("same_created_at")));
          }
          String requestId = Ids.newId();
          return conn.preparedQuery(INSERT_REQUEST).execute(Tuple.of(requestId, from, to, message, now))
              .map(done -> (RequestOutcome) new Pending(requestId, true, now));
        }));
  }

  /**
   * The target {@code uid} accepts a request: both become friends and their conversation is opened. Fails with
   * {@code forbidden} when {@code uid} sent the request, {@code not_found} when it is not theirs or not pending.
   */
  public Future<Accepted> accept(String uid, String requestId, long now) {
    return pool.withTransaction(conn -> conn.preparedQuery(FIND_REQUEST).execute(Tuple.of(requestId)).compose(rows -> {
      String requester = targetedAt(rows.size() == 0 ? null : rows.iterator().next(), uid, requestId, "accept");
      return lockPair(conn, requester, uid)
          .compose(v -> conn.preparedQuery(DELETE_PAIR_REQUESTS).execute(Tuple.of(requester, uid)))
          .compose(deleted -> {
            boolean stillPending = false;
            for (Row row : deleted) {
              stillPending |= requestId.equals(row.getString(0));
            }
            if (!stillPending) {
              return Future.failedFuture(ImException.notFound("no pending request " + requestId));
            }
            return befriend(conn, requester, uid, now).map(conv -> new Accepted(requester, conv));
          });
    }));
  }

  /** The target rejects a request; same failures as {@link #accept}. @return the requester */
  public Future<String> reject(String uid, String requestId) {
    return pool.preparedQuery(REJECT).execute(Tuple.of(requestId, uid)).compose(rows -> {
      if (rows.size() > 0) {
        return Future.succeededFuture(rows.iterator().next().getString("from_uid"));
      }
      return pool.preparedQuery(FIND_REQUEST).execute(Tuple.of(requestId)).map(found -> {
        targetedAt(found.size() == 0 ? null : found.iterator().next(), uid, requestId, "reject");
        return (String) null;
      });
    });
  }

  /** Pending requests to {@code uid}, oldest first: {@code [{requestId, from, message, createdAt}]}. */
  public Future<JsonArray> incoming(String uid) {
    return pool.preparedQuery(INCOMING).execute(Tuple.of(uid)).map(rows -> {
      JsonArray requests = new JsonArray();
      rows.forEach(row -> requests.add(new JsonObject()
          .put("requestId", row.getString("request_id"))
          .put("from", row.getString("from_uid"))
          .put("message", row.getString("message"))
          .put("createdAt", row.getLong("created_at"))));
      return requests;
    });
  }

  /** Ends a friendship; {@code not_found} when there is none. */
  public Future<Void> unfriend(String uid, String friend) {
    return pool.withTransaction(conn -> lockPair(conn, uid, friend)
        .compose(v -> conn.preparedQuery(DELETE_FRIENDSHIP).execute(Tuple.of(uid, friend)))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ImException.notFound("not friends with " + friend))
            : Future.<Void>succeededFuture()));
  }

  public Future<List<Friend>> friends(String uid) {
    return pool.preparedQuery(FRIENDS).execute(Tuple.of(uid)).map(rows -> {
      List<Friend> friends = new ArrayList<>(rows.size());
      rows.forEach(row -> friends.add(new Friend(row.getString("uid"), row.getString("username"),
          row.getString("display_name"), row.getLong("last_seen"))));
      return friends;
    });
  }

  public Future<List<String>> friendUids(String uid) {
    return pool.preparedQuery(FRIEND_UIDS).execute(Tuple.of(uid)).map(rows -> {
      List<String> uids = new ArrayList<>(rows.size());
      rows.forEach(row -> uids.add(row.getString(0)));
      return uids;
    });
  }

  /**
   * {@code uid} blocks {@code other} (idempotent). The block ends their friendship and drops pending requests
   * between them. Fails with {@code bad_request} for oneself, {@code not_found} for an unknown user.
   *
   * @return whether the block is new
   */
  public Future<Boolean> block(String uid, String other, long now) {
    if (uid.equals(other)) {
      return Future.failedFuture(ImException.badRequest("cannot block yourself"));
    }
    return pool.withTransaction(conn -> lockPair(conn, uid, other)
        .compose(v -> conn.preparedQuery(USER_EXISTS).execute(Tuple.of(other)))
        .compose(rows -> rows.iterator().next().getBoolean(0)
            ? conn.preparedQuery(INSERT_BLOCK).execute(Tuple.of(uid, other, now)).map(added -> added.rowCount() > 0)
            : Future.<Boolean>failedFuture(ImException.notFound("no such user: " + other)))
        .compose(added -> conn.preparedQuery(DELETE_FRIENDSHIP).execute(Tuple.of(uid, other))
            .compose(v -> conn.preparedQuery(DELETE_PAIR_REQUESTS).execute(Tuple.of(uid, other)))
            .map(added)));
  }

  /** Idempotent: unblocking someone not blocked is no error. @return whether there was a block to remove */
  public Future<Boolean> unblock(String uid, String other) {
    return pool.preparedQuery(DELETE_BLOCK).execute(Tuple.of(uid, other)).map(deleted -> deleted.rowCount() > 0);
  }

  public Future<JsonArray> blocked(String uid) {
    return pool.preparedQuery(BLOCKED).execute(Tuple.of(uid)).map(rows -> {
      JsonArray uids = new JsonArray();
      rows.forEach(row -> uids.add(row.getString(0)));
      return uids;
    });
  }

  /** Blocks both ways and friendship of {@code a} and {@code b}. */
  public Future<PairState> pairState(String a, String b) {
    return pool.preparedQuery(PAIR_STATE).execute(Tuple.of(a, b)).map(rows -> {
      Row row = rows.iterator().next();
      return new PairState(row.getBoolean("a_blocks_b"), row.getBoolean("b_blocks_a"), row.getBoolean("friends"));
    });
  }

  /** Never moves back. */
  public Future<Void> setLastSeen(String uid, long lastSeen) {
    return pool.preparedQuery(SET_LAST_SEEN).execute(Tuple.of(uid, lastSeen)).mapEmpty();
  }

  private static Future<Void> lockPair(SqlConnection conn, String a, String b) {
    return conn.preparedQuery(LOCK_PAIR).execute(Tuple.of(Conv.p2p(a, b))).mapEmpty();
  }

  /** Friendship rows both ways, and the pair's conversation with both memberships. */
  private static Future<String> befriend(SqlConnection conn, String a, String b, long now) {
    String conv = Conv.p2p(a, b);
    String[] members = Conv.p2pMembers(conv);
    return conn.preparedQuery(INSERT_FRIENDSHIP).execute(Tuple.of(a, b, now))
        .compose(v -> MessageWriter.openP2p(conn, conv, members[0], members[1], now))
        .map(floor -> {
          if (floor == null) {
            throw ImException.notFound("no such user");
          }
          return conv;
        });
  }

  /** The requester of a request addressed to {@code uid}; a request {@code uid} sent is forbidden, any other unknown. */
  private static String targetedAt(Row request, String uid, String requestId, String action) {
    if (request == null) {
      throw ImException.notFound("no pending request " + requestId);
    }
    if (uid.equals(request.getString("to_uid"))) {
      return request.getString("from_uid");
    }
    if (uid.equals(request.getString("from_uid"))) {
      throw ImException.forbidden("only the user asked may " + action + " a friend request");
    }
    throw ImException.notFound("no pending request " + requestId);
  }
}
