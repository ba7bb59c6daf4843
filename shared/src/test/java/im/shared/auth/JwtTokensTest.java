package im.shared.auth;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class JwtTokensTest {

  private static final String SECRET = "test-secret-0123456789-abcdef";

  private static JwtTokens tokens(Vertx vertx, String secret) {
    return new JwtTokens(vertx, new ImConfig.Jwt(secret, 3600));
  }

  /** Signs arbitrary claims with {@code secret} the way an attacker holding it (or a test) would. */
  private static String sign(Vertx vertx, String secret, JsonObject claims) {
    JWTAuth raw = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return raw.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  private static void assertUnauthorized(Future<String> verified) {
    Throwable failure = assertFailed(verified);
    ImException im = assertInstanceOf(ImException.class, failure);
    assertEquals(ErrorCode.UNAUTHORIZED, im.code());
  }

  private static Throwable assertFailed(Future<String> future) {
    try {
      String uid = future.await();
      throw new AssertionError("token accepted for " + uid);
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable failure) {
      return failure;
    }
  }

  @Test
  void issuedTokenIsAccepted(Vertx vertx) {
    JwtTokens tokens = tokens(vertx, SECRET);
    long before = System.currentTimeMillis();
    JwtTokens.Issued issued = tokens.issue("uid-1");
    assertEquals("uid-1", tokens.verify(issued.token()).await());
    assertTrue(issued.expiresAt() >= before + 3_599_000 && issued.expiresAt() <= before + 3_601_000, "expiresAt in ms");
    assertEquals("uid-1", tokens(vertx, SECRET).verify(issued.token()).await(), "another instance with the secret accepts it");
  }

  @Test
  void unsignedAlgNoneIsRefused(Vertx vertx) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long exp = System.currentTimeMillis() / 1000 + 3600;
    String token = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + b64.encodeToString(("{\"sub\":\"uid-1\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".";
    assertUnauthorized(tokens(vertx, SECRET).verify(token));
  }

  @Test
  void tokenWithoutExpIsRefused(Vertx vertx) {
    assertUnauthorized(tokens(vertx, SECRET).verify(sign(vertx, SECRET, new JsonObject().put("sub", "uid-1"))));
  }

  @Test
  void expiredTokenIsRefused(Vertx vertx) {
    long past = System.currentTimeMillis() / 1000 - 60;
    String token = sign(vertx, SECRET, new JsonObject().put("sub", "uid-1").put("exp", past));
    assertUnauthorized(tokens(vertx, SECRET).verify(token));
  }

  @Test
  void tokenOfAnotherSecretIsRefused(Vertx vertx) {
    String token = tokens(vertx, "another-secret-0123456789").issue("uid-1").token();
    assertUnauthorized(tokens(vertx, SECRET).verify(token));
  }

  @Test
  void controlWithTheRightSecretAndExpIsAccepted(Vertx vertx) {
    long future = System.currentTimeMillis() / 1000 + 60;
    String token = sign(vertx, SECRET, new JsonObject().put("sub", "uid-2").put("exp", future));
    assertEquals("uid-2", tokens(vertx, SECRET).verify(token).await());
  }

  @Test
  void garbageAndMissingSubjectAreRefused(Vertx vertx) {
    JwtTokens tokens = tokens(vertx, SECRET);
    assertUnauthorized(tokens.verify("not-a-token"));
    assertUnauthorized(tokens.verify(""));
    long future = System.currentTimeMillis() / 1000 + 60;
    assertUnauthorized(tokens.verify(sign(vertx, SECRET, new JsonObject().put("exp", future))));
  }

  @Test
  void timeClaimsThatAreNotNumbersAreRefusedLikeAnyBadToken(Vertx vertx) {
    JwtTokens tokens = tokens(vertx, SECRET);
    long future = System.currentTimeMillis() / 1000 + 60;
    JsonObject valid = new JsonObject().put("sub", "uid-4").put("exp", future);
    assertUnauthorized(tokens.verify(sign(vertx, SECRET, valid.copy().put("exp", String.valueOf(future)))));
    assertUnauthorized(tokens.verify(sign(vertx, SECRET, valid.copy().put("iat", "yesterday"))));
    assertUnauthorized(tokens.verify(sign(vertx, SECRET, valid.copy().put("nbf", new JsonObject()))));
    assertUnauthorized(tokens.verify(sign(vertx, SECRET, valid.copy().put("exp", true))));
    assertEquals("uid-4", tokens.verify(sign(vertx, SECRET, valid.copy().put("iat", future - 120).put("nbf", future - 120)))
        .await(), "numeric iat and nbf are fine");
  }

  @Test
  void generatedSecretIsSharedWithinTheProcess(Vertx vertx) {
    String token = tokens(vertx, "").issue("uid-3").token();
    assertEquals("uid-3", tokens(vertx, "").verify(token).await());
    assertUnauthorized(tokens(vertx, SECRET).verify(token));
  }
}
