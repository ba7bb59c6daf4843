package im.shared.db;

import im.shared.config.ImConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The node's PostgreSQL database: created and migrated once at start, then used through a reactive pool.
 *
 * <p>{@link #prepare} blocks (JDBC, Flyway): call it from {@code main} before Vert.x serves anything, never
 * on an event loop. {@link #pool} does not block.
 */
public final class Database {

  public static final String MIGRATIONS = "classpath:conf/db/migration";

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private static final String INVALID_CATALOG_NAME = "3D000";
  private static final String DUPLICATE_DATABASE = "42P04";
  private static final String UNIQUE_VIOLATION = "23505";

  private Database() {}

  /**
   * Creates the database of {@code pg} when it does not exist (connecting to {@code postgres} for that) and
   * applies every pending migration.
   *
   * @throws DatabaseException with one line saying what failed
   */
  public static void prepare(ImConfig.Pg pg) {
    createIfMissing(pg);
    migrate(pg);
  }

  /** A pool of {@code pg.poolSize()} connections with prepared statements cached per connection. */
  public static Pool pool(Vertx vertx, ImConfig.Pg pg) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(pg.host())
        .setPort(pg.port())
        .setDatabase(pg.database())
        .setUser(pg.user())
        .setCachePreparedStatements(true);
    if (pg.password() != null) {
      connect.setPassword(pg.password());
    }
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(pg.poolSize()))
        .connectingTo(connect)
        .using(vertx)
        .build();
  }

  private static void createIfMissing(ImConfig.Pg pg) {
    try (Connection ignored = connect(pg, pg.database())) {
      return;
    } catch (SQLException e) {
      if (!INVALID_CATALOG_NAME.equals(e.getSQLState())) {
        throw unreachable(pg, e);
      }
    }
    try (Connection admin = connect(pg, "postgres")) {
      if (exists(admin, pg.database())) {
        return;
      }
      try (Statement create = admin.createStatement()) {
        create.execute("CREATE DATABASE " + quoteIdentifier(pg.database()));
        LOG.info("Created database {}", pg.database());
      }
    } catch (SQLException e) {
      // Another node may have created it between our check and our CREATE.
      if (!DUPLICATE_DATABASE.equals(e.getSQLState()) && !UNIQUE_VIOLATION.equals(e.getSQLState())) {
        throw new DatabaseException(where(pg) + ": cannot create database " + pg.database() + ": " + e.getMessage());
      }
    }
  }

  private static void migrate(ImConfig.Pg pg) {
    try {
      MigrateResult result = Flyway.configure(Database.class.getClassLoader())
          .dataSource(jdbcUrl(pg, pg.database()), pg.user(), pg.password())
          .locations(MIGRATIONS)
          .load()
          .migrate();
      LOG.info("Database {} at schema version {} ({} migrations applied now)",
          pg.database(), result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, result.migrationsExecuted);
    } catch (FlywayException e) {
      throw new DatabaseException(where(pg) + ": migrating database " + pg.database() + " failed: " + firstLine(e.getMessage()));
    }
  }

  private static boolean exists(Connection admin, String database) throws SQLException {
    try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      query.setString(1, database);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }

  private static Connection connect(ImConfig.Pg pg, String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", pg.user());
    if (pg.password() != null) {
      props.setProperty("password", pg.password());
    }
    props.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(pg, database), props);
  }

  private static String jdbcUrl(ImConfig.Pg pg, String database) {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database;
  }

  private static DatabaseException unreachable(ImConfig.Pg pg, SQLException e) {
    // SQLSTATE class 08 is "connection exception"; anything else (auth, permissions) reached the server.
    String state = e.getSQLState();
    String what = state == null || state.startsWith("08") ? " is unreachable: " : " refused the connection: ";
    return new DatabaseException(where(pg) + what + firstLine(e.getMessage()));
  }

  private static String where(ImConfig.Pg pg) {
    return "PostgreSQL at " + pg.host() + ":" + pg.port();
  }

  private static String quoteIdentifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
