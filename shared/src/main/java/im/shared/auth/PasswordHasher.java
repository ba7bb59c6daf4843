package im.shared.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * PBKDF2-HMAC-SHA256 password hashes, stored as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (base64) so that
 * the iteration count can be raised later without invalidating stored hashes.
 *
 * <p>The work is deliberately slow: it runs on worker threads (unordered {@code executeBlocking}), never on the
 * caller's event loop. Futures complete on the caller's context.
 */
public final class PasswordHasher {

  private static final String SCHEME = "pbkdf2-sha256";
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private final Vertx vertx;
  private final int iterations;

  public PasswordHasher(Vertx vertx, int iterations) {
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be at least 1");
    }
    this.vertx = vertx;
    this.iterations = iterations;
  }

  public Future<String> hash(String password) {
    return vertx.executeBlocking(() -> {
      byte[] salt = new byte[SALT_BYTES];
      RANDOM.nextBytes(salt);
      byte[] hash = derive(password, salt, iterations);
      return SCHEME + "$" + iterations + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
    }, false);
  }

  /**
   * Whether {@code stored} is weaker than what this hasher makes now (fewer iterations, or another scheme), so that
   * a successful login should store a new hash of the password (docs/architecture.md, "Accounts and tokens").
   */
  public boolean needsRehash(String stored) {
    String[] parts = stored == null ? new String[0] : stored.split("\\$");
    if (parts.length != 4 || !SCHEME.equals(parts[0])) {
      return true;
    }
    try {
      return Integer.parseInt(parts[1]) < iterations;
    } catch (NumberFormatException malformed) {
      return true;
    }
  }

  /** @return whether {@code password} matches {@code stored}; false (not a failure) for a malformed stored hash */
  public Future<Boolean> verify(String password, String stored) {
    return vertx.executeBlocking(() -> matches(password, stored), false);
  }

  private static boolean matches(String password, String stored) throws GeneralSecurityException {
    String[] parts = stored == null ? new String[0] : stored.split("\\$");
    if (parts.length != 4 || !SCHEME.equals(parts[0])) {
      return false;
    }
    int storedIterations;
    byte[] salt;
    byte[] expected;
    try {
      storedIterations = Integer.parseInt(parts[1]);
      salt = DECODER.decode(parts[2]);
      expected = DECODER.decode(parts[3]);
    } catch (IllegalArgumentException malformed) {
      return false;
    }
    if (storedIterations < 1 || expected.length == 0) {
      return false;
    }
    return MessageDigest.isEqual(expected, derive(password, salt, storedIterations, expected.length * 8));
  }

  private static byte[] derive(String password, byte[] salt, int iterations) throws GeneralSecurityException {
    return derive(password, salt, iterations, HASH_BITS);
  }

  private static byte[] derive(String password, byte[] salt, int iterations, int bits) throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } finally {
      spec.clearPassword();
    }
  }
}
