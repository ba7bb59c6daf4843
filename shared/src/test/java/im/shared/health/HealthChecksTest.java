package im.shared.health;

import im.testing.TestDatabase;
import im.shared.cluster.ClusterNodes;
import im.shared.cluster.ClusterSetup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthChecksTest {

  /** docs/protocol.md §1: readiness turns within 2 s either way. */
  private static final long TURN_MS = 2000;

  private final Vertx vertx = Vertx.vertx();
  private HealthChecks health;

  @AfterEach
  void close() throws TimeoutException {
    if (health != null) {
      health.stop();
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static Pool pg(Vertx vertx, int port) {
    return PgBuilder.pool()
        .connectingTo(new PgConnectOptions().setHost(TestDatabase.PG_HOST).setPort(port).setUser(TestDatabase.PG_USER).setDatabase("postgres"))
        .using(vertx)
        .build();
  }

  @Test
  void upWhenPostgresAndRedisAnswer() throws TimeoutException {
    health = new HealthChecks(vertx)
        .register("pg", HealthChecks.pg(pg(vertx, TestDatabase.PG_PORT)))
        .register("redis", HealthChecks.redis(Redis.createClient(vertx, TestDatabase.REDIS_URL)))
        .register("redis-api", HealthChecks.redis(RedisAPI.api(Redis.createClient(vertx, TestDatabase.REDIS_URL))));
    assertFalse(health.isUp(), "nothing is UP before its first probe");

    health.start().await(10, TimeUnit.SECONDS);

    assertTrue(health.isUp(), health.status()::encode);
    assertEquals(new JsonObject("""
        {"status":"UP","checks":{"pg":{"status":"UP"},"redis":{"status":"UP"},"redis-api":{"status":"UP"}}}"""),
        health.status());
  }

  @Test
  void unreachableDependenciesAreDownWithinTwoSeconds() throws TimeoutException {
    health = new HealthChecks(vertx)
        .register("pg", HealthChecks.pg(pg(vertx, 1)))
        .register("redis", HealthChecks.redis(Redis.createClient(vertx, "redis://127.0.0.1:1")))
        .register("hung", () -> Promise.promise().future());
    long started = System.nanoTime();
    health.start().await(10, TimeUnit.SECONDS);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertTrue(elapsedMs < TURN_MS, "first round took " + elapsedMs + " ms");
    JsonObject status = health.status();
    assertEquals("DOWN", status.getString("status"));
    for (String name : new String[] {"pg", "redis", "hung"}) {
      JsonObject check = status.getJsonObject("checks").getJsonObject(name);
      assertEquals("DOWN", check.getString("status"), status::encode);
      assertFalse(check.getString("error").isBlank());
    }
  }

  @Test
  void aProbeTurnsDownAndBackWithinTwoSeconds() throws TimeoutException {
    AtomicBoolean dependencyUp = new AtomicBoolean(true);
    health = new HealthChecks(vertx)
        .register("dep", () -> dependencyUp.get() ? Future.succeededFuture() : Future.failedFuture("dependency gone"));
    health.start().await(10, TimeUnit.SECONDS);
    assertTrue(health.isUp());

    dependencyUp.set(false);
    awaitWithin(TURN_MS, () -> !health.isUp());
    assertEquals("dependency gone", health.status().getJsonObject("checks").getJsonObject("dep").getString("error"));

    dependencyUp.set(true);
    awaitWithin(TURN_MS, health::isUp);
  }

  @Test
  void flagsAreSetByComponents() {
    health = new HealthChecks(vertx);
    health.setUp("http", false);
    assertFalse(health.isUp());
    assertEquals("DOWN", health.status().getJsonObject("checks").getJsonObject("http").getString("status"));

    health.setUp("http", true);
    assertTrue(health.isUp());
    health.setDown("http", "draining");
    assertEquals(new JsonObject("""
        {"status":"DOWN","checks":{"http":{"status":"DOWN","error":"draining"}}}"""), health.status());
  }

  @Test
  void clusterProbeFollowsTheMember() throws TimeoutException {
    try (ClusterNodes cluster = new ClusterNodes()) {
      ClusterNodes.Node node = cluster.start("");
      var probe = HealthChecks.cluster(ClusterSetup.hazelcast(node.clusterManager()));
      assertTrue(probe.get().succeeded());
      cluster.stop(node);
      assertTrue(probe.get().failed());
    }
  }

  /** Polls on a Vert.x timer until true; fails past {@code limitMs}. */
  private void awaitWithin(long limitMs, BooleanSupplier condition) throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limitMs);
    poll(condition, deadline).await(limitMs + 1000, TimeUnit.MILLISECONDS);
  }

  private Future<Void> poll(BooleanSupplier condition, long deadline) {
    if (condition.getAsBoolean()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() > deadline) {
      return Future.failedFuture(new AssertionError("not within the limit: " + health.status().encode()));
    }
    return vertx.timer(20).compose(t -> poll(condition, deadline));
  }
}
