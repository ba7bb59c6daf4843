package im.shared.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import im.protocol.ImException;
import im.shared.bus.session.TokensRevoked;
import im.shared.store.TokenStore;
import im.shared.store.TokenStore.UserTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's token check with revocation (docs/architecture.md, "Accounts and tokens"): {@link JwtTokens} checks
 * the signature and claims, then this node's memory says whether the token was logged out, whether its user logged
 * out everywhere since it was issued, and whether the user exists and is open. No database round trip per
 * request: a user's state is read from PostgreSQL the first time this node meets the user (and again only once the
 * bounded cache evicted it); revocations reach the memory of every node as {@link TokensRevoked} events
 * ({@link #apply}), and single revoked tokens are loaded at start ({@link #load}).
 *
 * <p>Thread-safe: read from every event loop, written by the session service and the account routes. Futures
 * complete on the caller's context.
 */
public final class AccessTokens implements TokenVerifier {

  /** Users whose state a node keeps; past this the least recently seen are read again when next met. */
  private static final long MAX_USERS = 200_000;
  private static final long PURGE_INTERVAL_MS = 10 * 60 * 1000;

  private final Vertx vertx;
  private final JwtTokens jwt;
  private final TokenStore store;
  private final Cache<String, UserTokens> users = Caffeine.newBuilder().maximumSize(MAX_USERS).build();
  /** Revoked token id → its expiry (ms); expired ones are purged, since their tokens are refused anyway. */
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();

  public AccessTokens(Vertx vertx, JwtTokens jwt, TokenStore store) {
    this.vertx = vertx;
    this.jwt = jwt;
    this.store = store;
  }

  /** Reads the revoked tokens not yet expired; call once the {@link TokensRevoked} consumer listens, before serving. */
  public Future<Void> load() {
    vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purgeExpired());
    return store.liveRevoked(System.currentTimeMillis()).onSuccess(revoked::putAll).mapEmpty();
  }

  @Override
  public Future<TokenClaims> claims(String token) {
    return jwt.claims(token).compose(claims -> {
      if (claims.tokenId() != null && revoked.containsKey(claims.tokenId())) {
        return refused();
      }
      UserTokens known = users.getIfPresent(claims.uid());
      if (known != null) {
        return valid(claims, known) ? Future.succeededFuture(claims) : refused();
      }
      return store.userTokens(claims.uid())
          .recover(failure -> Future.failedFuture(ImException.unavailable("accounts are unavailable; retry")))
          .compose(loaded -> valid(claims, remember(claims.uid(), loaded)) ? Future.succeededFuture(claims) : refused());
    });
  }

  /**
   * Whether a token checked earlier is still good by what this node knows now, without I/O: a connection asks it
   * once registered, so that a revocation that arrived while it was signing in is not missed.
   */
  @Override
  public boolean stillValid(TokenClaims claims) {
    if (claims.tokenId() != null && revoked.containsKey(claims.tokenId())) {
      return false;
    }
    UserTokens known = users.getIfPresent(claims.uid());
    return known == null || valid(claims, known);
  }

  /** Takes a revocation into this node's view; idempotent, and in any order with loads of the same user. */
  public void apply(TokensRevoked event) {
    if (event.tokenId() != null) {
      revoked.put(event.tokenId(), event.expiresAt());
    }
    if (event.generation() >= 0 || event.closed()) {
      remember(event.uid(), new UserTokens(Math.max(0, event.generation()), event.closed()));
    }
  }

  /** Whether {@code claims} is refused by {@code event}: the connections of those tokens are kicked. */
  public static boolean revokes(TokensRevoked event, TokenClaims claims) {
    if (!event.uid().equals(claims.uid())) {
      return false;
    }
    return event.closed()
        || (event.tokenId() != null && event.tokenId().equals(claims.tokenId()))
        || (event.generation() >= 0 && claims.generation() < event.generation());
  }

  private UserTokens remember(String uid, UserTokens state) {
    return users.asMap().merge(uid, state, UserTokens::merge);
  }

  private static boolean valid(TokenClaims claims, UserTokens user) {
    return !user.closed() && claims.generation() >= user.generation();
  }

  private static Future<TokenClaims> refused() {
    return Future.failedFuture(ImException.unauthorized("token revoked"));
  }

  private void purgeExpired() {
    long now = System.currentTimeMillis();
    revoked.values().removeIf(expiresAt -> expiresAt <= now);
  }
}
