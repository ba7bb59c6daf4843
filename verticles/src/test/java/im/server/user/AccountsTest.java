package im.server.user;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.Ids;
import im.shared.auth.PasswordHasher;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.store.UserStore;
import im.testing.Await;
import im.testing.Poll;
import im.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Password hashes upgraded at login, and account closing, against the real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class AccountsTest {

  private static ImConfig config;

  private Pool pool;
  private UserStore users;

  @BeforeAll
  static void database() {
    config = ImConfig.of(new JsonObject().put("pg", new JsonObject().put("url", TestDatabase.URL).put("poolSize", 2)));
    Database.prepare(config.pg());
  }

  @BeforeEach
  void start(Vertx vertx) {
    pool = Database.pool(vertx, config.pg());
    users = new UserStore(pool);
  }

  @AfterEach
  void stop() {
    pool.close().await();
  }

  @Test
  void aWeakStoredHashIsReplacedAtTheNextSuccessfulLogin(Vertx vertx) {
    String name = "up_" + Ids.newId().substring(0, 10);
    new Accounts(users, new PasswordHasher(vertx, 500)).register(name, "password-1", null).await();
    Accounts stronger = new Accounts(users, new PasswordHasher(vertx, 1500));

    assertThrows(ImException.class, () -> stronger.login(name, "password-2").await());
    assertTrue(storedHash(name).startsWith("pbkdf2-sha256$500$"), "a failed login changes nothing");

    stronger.login(name, "password-1").await();
    Poll.until(() -> storedHash(name).startsWith("pbkdf2-sha256$1500$"), Duration.ofSeconds(5), "the upgraded hash");
    assertEquals(name, stronger.login(name, "password-1").await().profile().username(), "the new hash verifies");
  }

  @Test
  void closingNeedsThePasswordAndRaisesTheTokenGeneration(Vertx vertx) {
    Accounts accounts = new Accounts(users, new PasswordHasher(vertx, 500));
    String name = "cl_" + Ids.newId().substring(0, 10);
    String uid = accounts.register(name, "password-1", null).await().uid();
    long before = accounts.login(name, "password-1").await().tokenGeneration();

    ImException wrong = assertThrows(ImException.class, () -> accounts.close(uid, "password-2").await());
    assertEquals(ErrorCode.UNAUTHORIZED, wrong.code());
    assertTrue(accounts.close(uid, "password-1").await().tokenGeneration() > before);
    assertEquals(ErrorCode.UNAUTHORIZED,
        assertThrows(ImException.class, () -> accounts.login(name, "password-1").await()).code());
    assertEquals(ErrorCode.CONFLICT,
        assertThrows(ImException.class, () -> accounts.register(name, "password-1", null).await()).code(),
        "a closed account's username is not handed to somebody else");
  }

  private String storedHash(String username) {
    return Await.result(users.findByUsername(username), Duration.ofSeconds(5)).passwordHash();
  }
}
