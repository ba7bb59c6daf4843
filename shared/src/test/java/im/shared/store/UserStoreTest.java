package im.shared.store;

import im.protocol.ErrorCode;
import im.shared.Ids;
import im.shared.db.Database;
import im.shared.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;

import static im.shared.testing.Failures.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@ExtendWith(VertxExtension.class)
class UserStoreTest {

  private Pool pool;
  private UserStore users;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestDb.config().pg());
    users = new UserStore(pool);
  }

  @AfterEach
  void tearDown() {
    pool.close().await();
  }

  private static String freshName() {
    return "Al_" + Ids.newId().replace('-', '.');
  }

  @Test
  void createThenFindCaseInsensitively() {
    String name = freshName();
    UserStore.User created = users.create(name, "hash", "Alice").await();
    assertEquals(22, created.uid().length());
    UserStore.User found = users.findByUsername(name.toUpperCase()).await();
    assertEquals(created.uid(), found.uid());
    assertEquals(name, found.username(), "the username keeps its letter case");
    assertEquals("hash", found.passwordHash());
    assertEquals("Alice", users.findByUid(created.uid()).await().displayName());
    assertNull(users.findByUsername(freshName()).await());
    assertNull(users.findByUid("nobody").await());
  }

  @Test
  void usernameTakenInAnyCaseIsConflict() {
    String name = freshName();
    users.create(name, "h", "A").await();
    assertFailsWith(ErrorCode.CONFLICT, users.create(name.toLowerCase(), "h", "B"));
  }

  @Test
  void profileUpdatesKeepAndClearFields() {
    UserStore.User user = users.create(freshName(), "h", "Alice").await();
    UserStore.User renamed = users.updateProfile(user.uid(), "Alice B", true, "/media/abc").await();
    assertEquals("Alice B", renamed.displayName());
    assertEquals("/media/abc", renamed.avatarUrl());
    UserStore.User kept = users.updateProfile(user.uid(), null, false, null).await();
    assertEquals("Alice B", kept.displayName());
    assertEquals("/media/abc", kept.avatarUrl());
    assertNull(users.updateProfile(user.uid(), null, true, null).await().avatarUrl());
    assertFailsWith(ErrorCode.NOT_FOUND, users.updateProfile("nobody", "x", false, null));
  }

  @Test
  void existingFiltersUnknownUids() {
    UserStore.User user = users.create(freshName(), "h", "A").await();
    assertEquals(Set.of(user.uid()), users.existing(List.of(user.uid(), "nobody")).await());
  }
}
