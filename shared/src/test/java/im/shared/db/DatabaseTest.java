package im.shared.db;

import im.testing.TestDatabase;
import im.shared.config.ImConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class DatabaseTest {

  @Test
  void createsMigratesAndIsIdempotent(Vertx vertx) throws Exception {
    String name = "im_dbtest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    ImConfig.Pg pg = new ImConfig.Pg(TestDatabase.PG_HOST, TestDatabase.PG_PORT, name, TestDatabase.PG_USER, null, 2);
    Database.prepare(pg);
    Database.prepare(pg);
    Pool pool = Database.pool(vertx, pg);
    try {
      long tables = pool.query("SELECT count(*) FROM information_schema.tables WHERE table_name IN"
              + " ('users', 'conversations', 'members', 'messages', 'media')")
          .execute().await().iterator().next().getLong(0);
      assertEquals(5, tables);
    } finally {
      pool.close().await();
      Pool admin = Database.pool(vertx, new ImConfig.Pg(TestDatabase.PG_HOST, TestDatabase.PG_PORT, "postgres", TestDatabase.PG_USER, null, 1));
      admin.query("DROP DATABASE " + name).execute().await();
      admin.close().await();
    }
  }

  @Test
  void unreachableServerIsOneClearLineWithoutPassword() {
    ImConfig.Pg pg = new ImConfig.Pg("127.0.0.1", 1, "im", "postgres", "s3cret-pw", 2);
    DatabaseException failure = assertThrows(DatabaseException.class, () -> Database.prepare(pg));
    assertTrue(failure.getMessage().startsWith("PostgreSQL at 127.0.0.1:1 is unreachable: "), failure.getMessage());
    assertFalse(failure.getMessage().contains("s3cret-pw"));
    assertFalse(failure.getMessage().contains("\n"));
  }
}
