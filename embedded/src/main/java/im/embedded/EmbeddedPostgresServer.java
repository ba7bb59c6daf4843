package im.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server (zonky's binaries, PostgreSQL 15) on a free port of 127.0.0.1 with its cluster in one directory,
 * trust authentication for user {@code postgres}. Its output goes to {@code postgres.log} next to that directory, not
 * to the node's log. Durable like a production server (fsync and synchronous commit on, which zonky turns off for
 * tests), because an {@code ack} promises a committed message (docs/protocol.md §3). Start and stop are blocking:
 * call them from {@code main}, a shutdown hook or a test, never from an event loop.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * Starts on {@code dataDirectory}, creating the cluster on first use. The caller holds the directory's lock, so a
   * postmaster still running there is an orphan of a crashed node: it is stopped first.
   */
  static EmbeddedPostgresServer start(Path dataDirectory) {
    Redirect log = Redirect.appendTo(dataDirectory.resolveSibling("postgres.log").toFile());
    try {
      Files.createDirectories(dataDirectory);
      StaleProcess.clear(dataDirectory.resolve("postmaster.pid"), "postgres");
      long started = System.nanoTime();
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDirectory)
          .setCleanDataDirectory(false)
          // The node stops it after draining (Main's shutdown hook), not in parallel with the drain.
          .setRegisterShutdownHook(false)
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setOutputRedirector(log)
          .setErrorRedirector(log)
          .start();
      LOG.info("embedded PostgreSQL on 127.0.0.1:{} ({} ms), data in {}", postgres.getPort(),
          (System.nanoTime() - started) / 1_000_000, dataDirectory);
      return new EmbeddedPostgresServer(postgres);
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedException("embedded PostgreSQL in " + dataDirectory + " did not start: " + e.getMessage()
          + " (its log: " + dataDirectory.resolveSibling("postgres.log") + ")");
    }
  }

  /** For a database name: the URL form of {@code IM_PG_URL}. */
  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  public int port() {
    return postgres.getPort();
  }

  /** A fast shutdown: connections are closed, the cluster is checkpointed. */
  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
