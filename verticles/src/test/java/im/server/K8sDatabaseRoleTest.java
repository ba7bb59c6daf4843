package im.server;

import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code k8s/db/im-role.sql}, run with {@code psql} exactly as k8s/README.md says (and as the dev PostgreSQL's init
 * script does), makes a role that can start a node on its database, migrations included, and nothing more; running
 * it again changes nothing but the password. (The test servers trust local connections, so the password itself is not
 * put to the test here; the privileges are.)
 */
class K8sDatabaseRoleTest {

  private static final Path SQL = Path.of("..", "k8s", "db", "im-role.sql");
  private final String name = "im_role_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  @AfterEach
  void dropRoleAndDatabase() throws Exception {
    try (Connection admin = connect(TestDatabase.PG_USER, "postgres")) {
      admin.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      admin.createStatement().execute("DROP ROLE IF EXISTS " + name);
    }
  }

  @Test
  void theRoleOwnsItsDatabaseMigratesItAndIsNothingMore() throws Exception {
    psql("first-password");
    psql("second-password");

    ImConfig.Pg pg = ImConfig.load(null, Map.of("IM_PG_URL", "postgresql://" + name + ":second-password@"
        + TestDatabase.PG_HOST + ":" + TestDatabase.PG_PORT + "/" + name, "IM_REDIS_URL", TestDatabase.REDIS_URL)).pg();
    Database.prepare(pg);

    try (Connection admin = connect(TestDatabase.PG_USER, name)) {
      ResultSet role = admin.createStatement().executeQuery("SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin "
          + "FROM pg_roles WHERE rolname = '" + name + "'");
      assertTrue(role.next());
      assertEquals(List.of(false, false, false, true),
          List.of(role.getBoolean(1), role.getBoolean(2), role.getBoolean(3), role.getBoolean(4)));
      ResultSet owner = admin.createStatement().executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database "
          + "WHERE datname = '" + name + "'");
      assertTrue(owner.next());
      assertEquals(name, owner.getString(1));
      ResultSet tables = admin.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
          + "AND tableowner = '" + name + "'");
      assertTrue(tables.next());
      assertTrue(tables.getInt(1) > 5, "the migrations made the schema as the role: " + tables.getInt(1) + " tables");
    }
  }

  private void psql(String password) throws Exception {
    Process process = new ProcessBuilder("psql", "-h", TestDatabase.PG_HOST, "-p", String.valueOf(TestDatabase.PG_PORT),
        "-U", TestDatabase.PG_USER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-v", "role=" + name,
        "-v", "database=" + name, "-v", "password=" + password, "-f", SQL.toString())
        .redirectErrorStream(true).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "psql finished");
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), output);
  }

  private static Connection connect(String user, String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + TestDatabase.PG_HOST + ":" + TestDatabase.PG_PORT + "/"
        + database, user, null);
  }
}
