package im.server;

import im.shared.config.ConfigException;
import im.shared.config.ImConfig;
import im.shared.db.DatabaseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar im-server.jar [config.json]}: starts one node and drains it on SIGTERM. A wrong
 * setting exits 2, an unreachable dependency exits 1, each with one line saying what.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final long SHUTDOWN_LIMIT_SECONDS = 30;

  private Main() {}

  public static void main(String[] args) {
    ImConfig config;
    try {
      config = ImConfig.load(args.length > 0 ? Path.of(args[0]) : null, System.getenv());
    } catch (ConfigException e) {
      System.err.println("im-server: " + e.getMessage());
      System.exit(2);
      return;
    }
    Node node;
    try {
      node = Node.start(config).await();
    } catch (ConfigException e) {
      System.err.println("im-server: " + e.getMessage());
      System.exit(2);
      return;
    } catch (DatabaseException | Node.StartupException e) {
      System.err.println("im-server: " + e.getMessage());
      System.exit(1);
      return;
    } catch (Exception e) {
      LOG.error("im-server failed to start", e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        node.stop().await(SHUTDOWN_LIMIT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("drain did not finish cleanly: {}", e.toString());
        status = 1;
      }
      // The JVM reports a SIGTERM as exit 143 even after a clean drain; docs/protocol.md §1 wants 0.
      Runtime.getRuntime().halt(status);
    }, "im-shutdown"));
  }
}
