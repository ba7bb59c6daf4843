package im.server;

import im.embedded.EmbeddedException;
import im.embedded.EmbeddedServers;
import im.shared.config.ConfigException;
import im.shared.config.ImConfig;
import im.shared.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar im-server.jar [config.json]}: starts one node and drains it on SIGTERM. A wrong setting exits 2,
 * an unreachable dependency exits 1, each with one line saying what. With no PostgreSQL or Redis named it first
 * starts embedded ones (docs/protocol.md §1) and stops them after the drain. Runs on the main thread; the drain on
 * the JVM's shutdown-hook thread.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final long SHUTDOWN_LIMIT_SECONDS = 30;

  private Main() {}

  /**
   * Hazelcast completes its asynchronous calls (the routes look-ups of every fan-out) on the JVM's common pool, but
   * only when that pool's parallelism is above 1; otherwise it starts a new thread per completion. On two cores the
   * pool's default is 1, and a node under load started hundreds of threads a second. Set before anything creates the
   * pool; an operator's own {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} is kept.
   */
  private static void widenCommonPool() {
    String property = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(property) == null && Runtime.getRuntime().availableProcessors() <= 2) {
      System.setProperty(property, "2");
    }
  }

  public static void main(String[] args) {
    widenCommonPool();
    ImConfig config;
    try {
      config = ImConfig.load(args.length > 0 ? Path.of(args[0]) : null, System.getenv());
    } catch (ConfigException e) {
      exit(null, 2, e.getMessage());
      return;
    }
    EmbeddedServers embedded = null;
    if (config.embedded().wanted()) {
      if (!config.cluster().members().isEmpty()) {
        exit(null, 2, "IM_CLUSTER_MEMBERS (cluster.members) is set, but neither IM_PG_URL nor IM_REDIS_URL: the "
            + "embedded PostgreSQL and Redis serve one node only; give every node the URLs of shared servers");
        return;
      }
      try {
        embedded = EmbeddedServers.start(config.embedded().dir());
      } catch (EmbeddedException e) {
        exit(null, 1, e.getMessage());
        return;
      }
      config = config.withServers(embedded.postgres().orElseThrow().url(config.pg().database()),
          embedded.redis().orElseThrow().url());
      LOG.warn("embedded mode: no IM_PG_URL or IM_REDIS_URL given, so this node runs its own PostgreSQL and Redis "
          + "with their data in {}. That is for development on one machine; set IM_PG_URL and IM_REDIS_URL to use "
          + "real servers (required for a cluster)", embedded.directory());
    }
    Node node;
    try {
      node = Node.start(config).await();
    } catch (ConfigException e) {
      exit(embedded, 2, e.getMessage());
      return;
    } catch (DatabaseException | Node.StartupException e) {
      exit(embedded, 1, e.getMessage());
      return;
    } catch (Exception e) {
      LOG.error("im-server failed to start", e);
      exit(embedded, 1, null);
      return;
    }
    EmbeddedServers servers = embedded;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        node.stop().await(SHUTDOWN_LIMIT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("drain did not finish cleanly: {}", e.toString());
        status = 1;
      }
      // After the drain, which stores the sends it had taken: docs/architecture.md, "Embedded mode".
      if (servers != null) {
        servers.close();
      }
      // The JVM reports a SIGTERM as exit 143 even after a clean drain; docs/protocol.md §1 wants 0.
      Runtime.getRuntime().halt(status);
    }, "im-shutdown"));
  }

  /** Prints the one line (when there is one), stops the embedded servers that did start, and exits. */
  private static void exit(EmbeddedServers embedded, int status, String line) {
    if (line != null) {
      System.err.println("im-server: " + line);
    }
    if (embedded != null) {
      embedded.close();
    }
    System.exit(status);
  }
}
