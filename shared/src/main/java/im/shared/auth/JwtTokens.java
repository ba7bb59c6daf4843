package im.shared.auth;

import im.protocol.ImException;
import im.shared.Ids;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * Issues and checks the bearer tokens of the HTTP API and the realtime {@code auth}: HS256 JWTs whose
 * {@code sub} is the uid, {@code jti} a random token id (so that two logins in the same second get distinct,
 * separately revocable tokens) and {@code gen} the user's token generation at issue. This class checks the
 * signature and the claims only; {@link AccessTokens} adds revocation. The algorithm is pinned and {@code exp} is both issued and required, because
 * vertx-auth-jwt by itself accepts neither-signed nor never-expiring tokens (they must be configured with a key, a pinned algorithm and a required exp).
 *
 * <p>Thread-safe; {@link #verify} completes on the caller's context without blocking.
 */
public final class JwtTokens implements TokenVerifier {

  /** A token and when it stops being accepted, in milliseconds since the epoch. */
  public record Issued(String token, long expiresAt) {}

  private static final Logger LOG = LoggerFactory.getLogger(JwtTokens.class);
  private static final String ALGORITHM = "HS256";
  private static final Base64.Decoder URL_DECODER = Base64.getUrlDecoder();
  private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");

  private final JWTAuth auth;
  private final long ttlSeconds;
  private final String secret;

  public JwtTokens(Vertx vertx, ImConfig.Jwt config) {
    String secret = config.secret().isEmpty() ? GeneratedSecret.VALUE : config.secret();
    this.ttlSeconds = config.ttlSeconds();
    this.secret = secret;
    this.auth = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm(ALGORITHM).setBuffer(secret))
        .setJWTOptions(new JWTOptions().setAlgorithm(ALGORITHM).setIgnoreExpiration(false)));
  }

  /**
   * A key of its own for another signature of this cluster (e.g. signed media links), derived from the JWT secret
   * that every node shares: HMAC-SHA256(secret, purpose). Such signatures can never pass for a token, nor a token
   * for them.
   */
  public byte[] derivedKey(String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java has HmacSHA256", e);
    }
  }

  /** A token of generation 0: for a user who never logged out everywhere, and for tests. */
  public Issued issue(String uid) {
    return issue(uid, 0);
  }

  /** @param generation the user's token generation now (docs/architecture.md, "Accounts and tokens") */
  public Issued issue(String uid, long generation) {
    long expiresAtSeconds = System.currentTimeMillis() / 1000 + ttlSeconds;
    String token = auth.generateToken(
        new JsonObject().put("sub", uid).put("exp", expiresAtSeconds).put("jti", Ids.newId()).put("gen", generation),
        new JWTOptions().setAlgorithm(ALGORITHM));
    return new Issued(token, expiresAtSeconds * 1000);
  }

  @Override
  public Future<TokenClaims> claims(String token) {
    if (token == null || token.isEmpty() || !signedWithPinnedAlgorithm(token) || !timesAreNumbers(token)) {
      return Future.failedFuture(ImException.unauthorized("invalid token"));
    }
    Future<User> authenticated;
    try {
      authenticated = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException malformed) {
      // The library throws, rather than fails, on some claim shapes: a bad token all the same.
      return Future.failedFuture(ImException.unauthorized("invalid token"));
    }
    return authenticated
        .recover(failure -> Future.failedFuture(ImException.unauthorized("invalid or expired token")))
        .compose(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken", user.principal());
          Object exp = claims.getValue("exp");
          Object sub = claims.getValue("sub");
          Object jti = claims.getValue("jti");
          Object gen = claims.getValue("gen", 0L);
          if (!(exp instanceof Number expires) || !(sub instanceof String uid) || uid.isEmpty()
              || (jti != null && !(jti instanceof String)) || !(gen instanceof Number generation)) {
            return Future.failedFuture(ImException.unauthorized("invalid token"));
          }
          return Future.succeededFuture(new TokenClaims(uid, (String) jti, generation.longValue(),
              expires.longValue() * 1000));
        });
  }

  /** Refuses before any signature work a token whose header names another algorithm, {@code none} included. */
  private static boolean signedWithPinnedAlgorithm(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    try {
      JsonObject header = new JsonObject(new String(URL_DECODER.decode(token.substring(0, dot)), StandardCharsets.UTF_8));
      return ALGORITHM.equals(header.getValue("alg"));
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /**
   * {@code exp}, {@code nbf} and {@code iat}, where present, must be JSON numbers (docs/protocol.md §4, Accounts);
   * the library would throw on a string there, and an unreadable payload is a bad token too.
   */
  private static boolean timesAreNumbers(String token) {
    int first = token.indexOf('.');
    int second = token.indexOf('.', first + 1);
    if (second < 0) {
      return false;
    }
    try {
      JsonObject claims = new JsonObject(new String(URL_DECODER.decode(token.substring(first + 1, second)), StandardCharsets.UTF_8));
      for (String time : TIME_CLAIMS) {
        Object value = claims.getValue(time);
        if (value != null && !(value instanceof Number)) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException malformed) {
      return false;
    }
  }

  /** One random secret per process, so that every verticle instance of the node accepts the others' tokens. */
  private static final class GeneratedSecret {
    static final String VALUE = generate();

    private static String generate() {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      LOG.warn("No JWT secret configured (IM_JWT_SECRET): using a random one; tokens will not survive a restart "
          + "and other nodes will not accept this node's tokens");
      return Base64.getEncoder().encodeToString(bytes);
    }
  }
}
