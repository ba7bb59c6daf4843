package im.shared.auth;

import im.shared.bus.Addresses;
import im.shared.bus.session.TokensRevoked;
import im.shared.store.TokenStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Revokes tokens (docs/protocol.md §4 accounts: logout, logout-all, account closed): writes the revocation to
 * PostgreSQL, applies it to this node's {@link AccessTokens} at once (so the caller's next request on this node is
 * refused), then publishes {@link TokensRevoked} so that every node refuses the tokens and kicks their connections.
 *
 * <p>Thread-safe; futures complete on the caller's context once the revocation is durable and announced.
 */
public final class TokenRevoker {

  private final Vertx vertx;
  private final TokenStore store;
  private final AccessTokens local;

  /** @param local this node's view, or null where tokens are checked without revocation (tests of the routes alone) */
  public TokenRevoker(Vertx vertx, TokenStore store, AccessTokens local) {
    this.vertx = vertx;
    this.store = store;
    this.local = local;
  }

  /** Refuses this one token from now on; a token without an id (issued before tokens had one) logs out everywhere. */
  public Future<Void> logout(TokenClaims claims) {
    if (claims.tokenId() == null) {
      return logoutAll(claims.uid());
    }
    return store.revoke(claims.tokenId(), claims.uid(), claims.expiresAt())
        .map(done -> TokensRevoked.token(claims.uid(), claims.tokenId(), claims.expiresAt()))
        .compose(this::announce);
  }

  /** Refuses every token of the user issued until now. */
  public Future<Void> logoutAll(String uid) {
    return store.nextGeneration(uid).map(generation -> TokensRevoked.below(uid, generation, false)).compose(this::announce);
  }

  /** The account was closed and its generation raised to {@code generation} (both done by the user service). */
  public Future<Void> closed(String uid, long generation) {
    return announce(TokensRevoked.below(uid, generation, true));
  }

  private Future<Void> announce(TokensRevoked event) {
    if (local != null) {
      local.apply(event);
    }
    vertx.eventBus().publish(Addresses.TOKENS_REVOKED, event.toJson());
    return Future.succeededFuture();
  }
}
