package im.shared.store;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.Ids;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Accounts in table {@code users}. Usernames are unique case-insensitively ({@code username_key}). Non-blocking. */
public final class UserStore {

  /**
   * An account; {@code avatarUrl} may be null. Its public part travels as {@code im.shared.bus.user.Profile};
   * {@code tokenGeneration} goes into the tokens issued to it (docs/architecture.md, "Accounts and tokens").
   */
  public record User(String uid, String username, String displayName, String avatarUrl, String passwordHash,
                     long tokenGeneration) {}

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS = "uid, username, display_name, avatar_url, password_hash, token_generation";

  static final String INSERT =
      "INSERT INTO users (uid, username, username_key, password_hash, display_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
  /** A closed account cannot sign in nor be found by name; its row stays, and keeps its username taken. */
  static final String BY_USERNAME = "SELECT " + COLUMNS + " FROM users WHERE username_key = $1 AND closed_at IS NULL";
  static final String BY_UID = "SELECT " + COLUMNS + " FROM users WHERE uid = $1";
  /** $3 says whether $4 replaces the avatar, so that a PATCH can clear it with null. */
  static final String UPDATE_PROFILE =
      "UPDATE users SET display_name = COALESCE($2, display_name), avatar_url = CASE WHEN $3 THEN $4 ELSE avatar_url END"
          + " WHERE uid = $1 RETURNING " + COLUMNS;
  static final String SET_PASSWORD_HASH = "UPDATE users SET password_hash = $2 WHERE uid = $1";
  static final String CLOSE = "UPDATE users SET token_generation = token_generation + 1, closed_at = $2"
      + " WHERE uid = $1 AND closed_at IS NULL RETURNING token_generation";
  static final String EXISTING = "SELECT uid FROM users WHERE uid = ANY($1)";

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
  }

  /** Fails with {@code conflict} when the username is taken (in any letter case). */
  public Future<User> create(String username, String passwordHash, String displayName) {
    String uid = Ids.newUid();
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(uid, username, key(username), passwordHash, displayName, System.currentTimeMillis()))
        .<User>map(done -> new User(uid, username, displayName, null, passwordHash, 0))
        .recover(failure -> failure instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new ImException(ErrorCode.CONFLICT, "username taken"))
            : Future.failedFuture(failure));
  }

  /** @return the account, or {@code null} when there is none */
  public Future<User> findByUsername(String username) {
    return pool.preparedQuery(BY_USERNAME).execute(Tuple.of(key(username))).map(UserStore::first);
  }

  /** @return the account, or {@code null} when there is none */
  public Future<User> findByUid(String uid) {
    return pool.preparedQuery(BY_UID).execute(Tuple.of(uid)).map(UserStore::first);
  }

  /**
   * @param displayName the new display name, or {@code null} to keep it
   * @param setAvatar   whether to replace the avatar with {@code avatarUrl} (which may be null to clear it)
   * @return the updated account; fails with {@code not_found} when there is none
   */
  public Future<User> updateProfile(String uid, String displayName, boolean setAvatar, String avatarUrl) {
    return pool.preparedQuery(UPDATE_PROFILE)
        .execute(Tuple.of(uid, displayName, setAvatar, avatarUrl))
        .map(UserStore::first)
        .compose(user -> user == null ? Future.failedFuture(ImException.notFound("no such user")) : Future.succeededFuture(user));
  }

  /** Replaces the stored hash: a stronger one of the same password, computed at a successful login. */
  public Future<Void> setPasswordHash(String uid, String passwordHash) {
    return pool.preparedQuery(SET_PASSWORD_HASH).execute(Tuple.of(uid, passwordHash)).mapEmpty();
  }

  /**
   * Closes the account: it can no longer sign in, and raising its token generation refuses every token it holds.
   *
   * @return the new token generation; fails with {@code unauthorized} when the account is closed already
   */
  public Future<Long> close(String uid, long nowMs) {
    return pool.preparedQuery(CLOSE).execute(Tuple.of(uid, nowMs)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(ImException.unauthorized("account closed"))
        : Future.succeededFuture(rows.iterator().next().getLong(0)));
  }

  /** @return those of {@code uids} that are accounts */
  public Future<Set<String>> existing(Collection<String> uids) {
    return pool.preparedQuery(EXISTING)
        .execute(Tuple.of(uids.toArray(new String[0])))
        .map(rows -> {
          Set<String> found = new HashSet<>();
          rows.forEach(row -> found.add(row.getString(0)));
          return found;
        });
  }

  private static String key(String username) {
    return username.toLowerCase(Locale.ROOT);
  }

  private static User first(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return null;
    }
    Row row = rows.iterator().next();
    return new User(row.getString("uid"), row.getString("username"), row.getString("display_name"),
        row.getString("avatar_url"), row.getString("password_hash"), row.getLong("token_generation"));
  }
}
