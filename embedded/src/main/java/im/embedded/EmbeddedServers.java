package im.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The PostgreSQL and Redis a node runs by itself when no server is configured (docs/architecture.md, "Embedded
 * mode"): real servers on free ports of 127.0.0.1, their data in one directory ({@code postgres/}, {@code redis/}),
 * which the running servers hold locked. Whoever starts them closes them once nothing uses them any more: the node
 * after its drain. Blocking start and stop, from {@code main}, a shutdown hook or a test, never an event loop.
 */
public final class EmbeddedServers implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

  private final Path directory;
  private final DataDirectoryLock lock;
  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;

  private EmbeddedServers(Path directory, DataDirectoryLock lock, EmbeddedPostgresServer postgres,
                          EmbeddedRedisServer redis) {
    this.directory = directory;
    this.lock = lock;
    this.postgres = postgres;
    this.redis = redis;
  }

  /** Both servers on {@code directory}; the data there from an earlier start is kept. */
  public static EmbeddedServers start(Path directory) {
    return start(directory, true, true);
  }

  /**
   * The servers asked for on {@code directory}. Fails with one line when the directory is in use by another process
   * or a server does not start; whatever did start is stopped again.
   */
  public static EmbeddedServers start(Path directory, boolean withPostgres, boolean withRedis) {
    Path absolute = directory.toAbsolutePath().normalize();
    DataDirectoryLock lock;
    try {
      Files.createDirectories(absolute);
      lock = DataDirectoryLock.acquire(absolute);
    } catch (IOException e) {
      throw new EmbeddedException("the data directory " + absolute + " cannot be used: " + e);
    }
    EmbeddedPostgresServer postgres = null;
    try {
      postgres = withPostgres ? EmbeddedPostgresServer.start(absolute.resolve("postgres")) : null;
      EmbeddedRedisServer redis = withRedis ? EmbeddedRedisServer.start(absolute.resolve("redis")) : null;
      return new EmbeddedServers(absolute, lock, postgres, redis);
    } catch (RuntimeException e) {
      new EmbeddedServers(absolute, lock, postgres, null).close();
      throw e;
    }
  }

  public Path directory() {
    return directory;
  }

  public Optional<EmbeddedPostgresServer> postgres() {
    return Optional.ofNullable(postgres);
  }

  public Optional<EmbeddedRedisServer> redis() {
    return Optional.ofNullable(redis);
  }

  /** Stops Redis, then PostgreSQL, then frees the directory; logs rather than throws, it runs while exiting. */
  @Override
  public void close() {
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException | RuntimeException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.toString());
      }
    }
    try {
      lock.close();
    } catch (IOException e) {
      LOG.warn("the lock of {} was not released: {}", directory, e.toString());
    }
    LOG.info("embedded servers in {} stopped", directory);
  }
}
