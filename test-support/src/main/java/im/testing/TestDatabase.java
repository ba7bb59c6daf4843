package im.testing;

import im.embedded.EmbeddedServers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The PostgreSQL database and the Redis every test of the build uses. The servers: those that {@code -Dim.test.pg=
 * postgresql://user@host:port} and {@code -Dim.test.redis=redis://host:port} name; else those that answer on
 * 127.0.0.1:5432 and 127.0.0.1:6379 (what {@code .ci/run} provides); else the embedded ones of embedded mode, started
 * once per test JVM in a temporary directory and stopped when it exits. {@code -Dim.test.pg=embedded} and
 * {@code -Dim.test.redis=embedded} ask for the embedded ones on a machine that has servers: the run of a machine with
 * only Java and Maven. {@code -Dim.test.db=NAME} (passed on by
 * surefire from the Maven property) gives a branch under development a database of its own; the node's own start-up
 * creates and migrates it. Chosen when the class loads; constants afterwards, safe from any thread.
 */
public final class TestDatabase {

  public static final String NAME = System.getProperty("im.test.db", "im_test");

  private static final String EMBEDDED = "embedded";
  private static final String LOCAL_PG = "postgresql://postgres@127.0.0.1:5432";
  private static final String LOCAL_REDIS = "redis://127.0.0.1:6379";
  private static final String[] SERVERS = chooseServers();

  /** In the {@code IM_PG_URL} form that both the in-process nodes and {@code Main} processes read. */
  public static final String URL = SERVERS[0] + "/" + NAME;

  /** In the {@code IM_REDIS_URL} form. */
  public static final String REDIS_URL = SERVERS[1];

  public static final String PG_HOST = URI.create(URL).getHost();
  public static final int PG_PORT = URI.create(URL).getPort();
  /** The user of {@link #URL}; its password, if any, is not needed by tests that build their own pool. */
  public static final String PG_USER = URI.create(URL).getUserInfo().split(":", 2)[0];

  private TestDatabase() {}

  /** {@code [pg server URL without database, redis URL]}. */
  private static String[] chooseServers() {
    String pg = System.getProperty("im.test.pg", "");
    String redis = System.getProperty("im.test.redis", "");
    boolean embedPg = EMBEDDED.equals(pg) || pg.isBlank() && !answers(5432);
    boolean embedRedis = EMBEDDED.equals(redis) || redis.isBlank() && !answers(6379);
    if (embedPg || embedRedis) {
      EmbeddedServers embedded = embedded(embedPg, embedRedis);
      if (embedPg) {
        pg = embedded.postgres().orElseThrow().url("").replaceAll("/$", "");
      }
      if (embedRedis) {
        redis = embedded.redis().orElseThrow().url();
      }
    }
    return new String[] {
        pg.isBlank() ? LOCAL_PG : pg.replaceAll("/$", ""),
        redis.isBlank() ? LOCAL_REDIS : redis};
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException nothingThere) {
      return false;
    }
  }

  private static EmbeddedServers embedded(boolean withPg, boolean withRedis) {
    try {
      Path directory = Files.createTempDirectory("im-test-embedded-");
      EmbeddedServers servers = EmbeddedServers.start(directory, withPg, withRedis);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        servers.close();
        deleteTree(directory);
      }, "im-test-embedded-stop"));
      return servers;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException leftForTheSystem) {
      // a temporary directory: the system cleans it up if this did not
    }
  }
}
