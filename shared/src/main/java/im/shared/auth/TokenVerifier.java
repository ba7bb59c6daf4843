package im.shared.auth;

import io.vertx.core.Future;

/** Checks a bearer token. */
public interface TokenVerifier {

  /** @return the uid the token was issued to; fails with {@code ImException(unauthorized)} when bad, expired or revoked */
  Future<String> verify(String token);
}
