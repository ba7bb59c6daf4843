package im.server.cluster;

import im.protocol.Conv;
import im.protocol.client.ImHttp;
import im.shared.Ids;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * PostgreSQL and Redis break under a node that is sending: a {@code Main} process on a PostgreSQL and a Redis of the
 * test's own, which it flushes, kills and restarts (never the build's shared servers). What must hold
 * (docs/protocol.md §1 and §3): no acked message lost or stored twice, no seq reused or going back, sends during an
 * outage answered {@code unavailable} and acked when retried with the same cmid after it, {@code /health} 503 within
 * 2 s of the fault and 200 within 2 s of the return, and the node never restarted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DependencyFaultTest {

  /** docs/protocol.md §1's 2 s, plus one poll interval and an HTTP round trip on a busy machine. */
  private static final Duration HEALTH_LIMIT = Duration.ofMillis(2_500);

  private final Vertx vertx = Vertx.vertx();
  private PrivatePostgres postgres;
  private PrivateRedis redis;
  private NodeProcess node;
  private ImHttp http;

  @BeforeAll
  void start() throws Exception {
    assumeTrue(PrivatePostgres.installed() && PrivateRedis.installed(),
        "needs PostgreSQL 15 binaries in /usr/lib/postgresql/15/bin and redis-server on the PATH");
    postgres = PrivatePostgres.start("127.0.0.1");
    redis = PrivateRedis.start("127.0.0.1");
    JsonObject settings = TestCluster.settings("im-dependency-faults-" + Ids.newId());
    node = new NodeProcess("deps-" + Ids.newId().substring(0, 4), Map.of(
        "IM_CLUSTER_HOST", "127.0.0.1", "IM_PG_URL", postgres.url(TestDatabase.NAME), "IM_REDIS_URL", redis.url(),
        "IM_JWT_SECRET", TestCluster.JWT_SECRET), TestCluster.configFile(settings));
    node.start();
    node.awaitHealthy(vertx, TestCluster.PROCESS_START_LIMIT);
    http = new ImHttp(vertx, "127.0.0.1", node.httpPort());
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.destroy();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  @Order(1)
  void redisFlushallUnderTrafficLosesNothingAndSeqsKeepGrowing() throws Exception {
    Traffic traffic = startTraffic("flush");
    redis.flushAll();
    long flushed = System.nanoTime();
    traffic.awaitMoreAcks(20, "acks after FLUSHALL");
    assertEquals(200, status(), "FLUSHALL is no outage");
    traffic.finish("redis FLUSHALL", flushed);
  }

  @Test
  @Order(2)
  void aRedisRestartUnderTrafficIsAnOutageThatEndsByItself() throws Exception {
    outageUnderTraffic("redis", "Redis", redis::stop, redis::start);
  }

  @Test
  @Order(3)
  void aPostgresqlRestartUnderTrafficIsAnOutageThatEndsByItself() throws Exception {
    outageUnderTraffic("postgresql", "PostgreSQL", postgres::stop, postgres::start);
  }

  /** A server needed by the node stops under traffic and comes back; nothing restarts the node. */
  private void outageUnderTraffic(String fault, String server, ServerAction stop, ServerAction start) throws Exception {
    Traffic traffic = startTraffic(fault);
    long down = System.nanoTime();
    stop.run();
    long unhealthyMs = msUntilHealth(503, down);
    traffic.awaitUnavailable(server + " down");
    long up = System.nanoTime();
    start.run();
    long healthyMs = msUntilHealth(200, up);
    traffic.awaitMoreAcks(20, "acks after " + server + " returned");
    traffic.finish(fault + " restart", down);
    System.out.printf("%s restart: /health 503 after %d ms, 200 after %d ms of its return%n", fault, unhealthyMs,
        healthyMs);
  }

  /** Stopping or starting a private server. */
  @FunctionalInterface
  private interface ServerAction {
    void run() throws Exception;
  }

  /** A user sending to another, one message at a time, retrying each with its cmid until acked. */
  private final class Traffic {
    final Sender sender;
    final TestUser reader;
    final String conv;

    Traffic(Sender sender, TestUser reader, String conv) {
      this.sender = sender;
      this.reader = reader;
      this.conv = conv;
    }

    void awaitMoreAcks(int more, String what) {
      int target = sender.acked.size() + more;
      Poll.until(() -> sender.acked.size() >= target || sender.failure != null, Duration.ofSeconds(60), what);
    }

    void awaitUnavailable(String what) {
      Poll.until(() -> sender.unavailable.get() > 0 || sender.failure != null, Duration.ofSeconds(20),
          "a send answered unavailable while " + what);
    }

    void finish(String fault, long faultNanos) throws InterruptedException {
      sender.stop();
      assertTrue(node.alive(), "the node kept running");
      sender.assertEveryAckStoredOnce(TestCluster.history(http, reader, conv));
      System.out.printf("%s: %d acked, 0 lost, 0 doubled; %d unavailable answers (slowest %d ms), %d acked on a retry;"
              + " longest wait for one ack %d ms; %d ms from the fault to the end%n",
          fault, sender.acked.size(), sender.unavailable.get(), sender.slowestUnavailableMs, sender.ackedOnRetry.get(),
          sender.longestAckMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - faultNanos));
    }
  }

  private Traffic startTraffic(String prefix) {
    TestUser from = await(TestUsers.signUp(http, "d"));
    TestUser to = await(TestUsers.signUp(http, "d"));
    String conv = Conv.p2p(from.uid(), to.uid());
    Sender sender = new Sender(vertx, from, conv, List.of(Endpoint.local(node::httpPort)), prefix, 20).start();
    Traffic traffic = new Traffic(sender, to, conv);
    traffic.awaitMoreAcks(10, "traffic before the fault");
    return traffic;
  }

  private int status() {
    try {
      return http.get("/health", null).await(2, TimeUnit.SECONDS).status();
    } catch (Exception noAnswer) {
      return 0;
    }
  }

  /** Milliseconds from {@code sinceNanos} until {@code /health} answers {@code expected}; fails past the limit. */
  private long msUntilHealth(int expected, long sinceNanos) {
    Poll.until(() -> status() == expected, HEALTH_LIMIT, "/health " + expected);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }
}
