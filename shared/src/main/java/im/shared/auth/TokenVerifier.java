package im.shared.auth;

import io.vertx.core.Future;

/** Checks a bearer token. */
public interface TokenVerifier {

  /** @return the token's claims; fails with {@code ImException(unauthorized)} when bad, expired or revoked */
  Future<TokenClaims> claims(String token);

  /**
   * Whether a token {@link #claims} accepted earlier is still good by what this node knows now, without I/O;
   * true where tokens are not revocable.
   */
  default boolean stillValid(TokenClaims claims) {
    return true;
  }

  /** @return the uid the token was issued to; fails like {@link #claims} */
  default Future<String> verify(String token) {
    return claims(token).map(TokenClaims::uid);
  }
}
