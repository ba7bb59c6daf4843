package im.shared.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;

/**
 * The durable side of token revocation (docs/architecture.md, "Accounts and tokens"): each user's token generation
 * and whether the account is closed (table {@code users}), and single logged-out tokens (table
 * {@code revoked_tokens}). Nodes read it when they start and when they meet a user they know nothing of; the
 * per-request check reads the node's memory, not this. Non-blocking.
 */
public final class TokenStore {

  /** A user's token state; {@link #GONE} for a uid that is no account. */
  public record UserTokens(long generation, boolean closed) {

    public static final UserTokens GONE = new UserTokens(Long.MAX_VALUE, true);

    /** Both only grow, so merging any two views of them, in any order, keeps the newest. */
    public UserTokens merge(UserTokens other) {
      return new UserTokens(Math.max(generation, other.generation), closed || other.closed);
    }
  }

  static final String STATE = "SELECT token_generation, closed_at FROM users WHERE uid = $1";
  static final String REVOKE = "INSERT INTO revoked_tokens (token_id, uid, expires_at) VALUES ($1, $2, $3)"
      + " ON CONFLICT (token_id) DO NOTHING";
  static final String LIVE_REVOKED = "SELECT token_id, expires_at FROM revoked_tokens WHERE expires_at > $1";
  static final String PURGE = "DELETE FROM revoked_tokens WHERE expires_at <= $1";
  static final String NEXT_GENERATION =
      "UPDATE users SET token_generation = token_generation + 1 WHERE uid = $1 RETURNING token_generation";

  private final Pool pool;

  public TokenStore(Pool pool) {
    this.pool = pool;
  }

  public Future<UserTokens> userTokens(String uid) {
    return pool.preparedQuery(STATE).execute(Tuple.of(uid)).map(rows -> {
      if (rows.size() == 0) {
        return UserTokens.GONE;
      }
      Row row = rows.iterator().next();
      return new UserTokens(row.getLong(0), row.getValue(1) != null);
    });
  }

  public Future<Void> revoke(String tokenId, String uid, long expiresAt) {
    return pool.preparedQuery(REVOKE).execute(Tuple.of(tokenId, uid, expiresAt)).mapEmpty();
  }

  /** Token id → expiry (ms) of every revoked token not yet expired; drops the expired ones on the way. */
  public Future<Map<String, Long>> liveRevoked(long nowMs) {
    return pool.preparedQuery(PURGE).execute(Tuple.of(nowMs))
        .compose(purged -> pool.preparedQuery(LIVE_REVOKED).execute(Tuple.of(nowMs)))
        .map(rows -> {
          Map<String, Long> live = new HashMap<>();
          rows.forEach(row -> live.put(row.getString(0), row.getLong(1)));
          return live;
        });
  }

  /**
   * Raises the user's token generation: every token issued until now is refused (closing an account raises it
   * too: {@code UserStore.close}). @return the new generation, -1 when there is no such user
   */
  public Future<Long> nextGeneration(String uid) {
    return pool.preparedQuery(NEXT_GENERATION).execute(Tuple.of(uid)).map(TokenStore::generation);
  }

  private static long generation(RowSet<Row> rows) {
    return rows.size() == 0 ? -1 : rows.iterator().next().getLong(0);
  }
}
