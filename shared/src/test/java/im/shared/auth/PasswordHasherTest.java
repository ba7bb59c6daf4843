package im.shared.auth;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class PasswordHasherTest {

  @Test
  void hashVerifiesOnlyTheSamePassword(Vertx vertx) {
    PasswordHasher hasher = new PasswordHasher(vertx, 1000);
    String hash = hasher.hash("correct horse").await();
    assertTrue(hash.startsWith("pbkdf2-sha256$1000$"), hash);
    assertFalse(hash.contains("correct horse"));
    assertTrue(hasher.verify("correct horse", hash).await());
    assertFalse(hasher.verify("correct horsE", hash).await());
    assertNotEquals(hash, hasher.hash("correct horse").await(), "salted");
  }

  @Test
  void storedIterationsWinOverConfiguredOnes(Vertx vertx) {
    String old = new PasswordHasher(vertx, 500).hash("password1").await();
    assertTrue(new PasswordHasher(vertx, 2000).verify("password1", old).await());
  }

  @Test
  void malformedStoredHashIsAMismatch(Vertx vertx) {
    PasswordHasher hasher = new PasswordHasher(vertx, 1000);
    assertFalse(hasher.verify("x", "plain").await());
    assertFalse(hasher.verify("x", "pbkdf2-sha256$abc$AA$AA").await());
    assertFalse(hasher.verify("x", null).await());
  }

  @Test
  void hashesWeakerThanTodaysSettingsNeedARehash(Vertx vertx) {
    PasswordHasher hasher = new PasswordHasher(vertx, 2000);
    assertTrue(hasher.needsRehash(new PasswordHasher(vertx, 1000).hash("password1").await()));
    assertFalse(hasher.needsRehash(hasher.hash("password1").await()));
    assertFalse(hasher.needsRehash(new PasswordHasher(vertx, 3000).hash("password1").await()), "never weakened");
    assertTrue(hasher.needsRehash("bcrypt$whatever"));
  }
}
