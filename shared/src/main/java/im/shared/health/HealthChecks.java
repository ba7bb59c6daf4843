package im.shared.health;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Readiness of the node (docs/protocol.md §1 {@code GET /health}): named checks that are either probes, run
 * on a timer, or flags that components set ({@code setUp("http", true)} once the server listens).
 *
 * <p>A probe is DOWN when its last run failed or did not finish within the probe timeout. With the
 * default period (500 ms) and timeout (1 s) a dependency that breaks shows DOWN within 1.5 s, and one
 * that returns shows UP within a period of its first successful answer: inside the 2 s of docs/protocol.md §1.
 * A probe still running is not started again, so a hung dependency never piles up probes.
 *
 * <p>Threading: {@link #start} runs the probes on the caller's Vert.x context; {@link #status},
 * {@link #isUp} and the flag setters may be called from any thread.
 */
public final class HealthChecks {

  public static final long DEFAULT_PERIOD_MS = 500;
  public static final long DEFAULT_PROBE_TIMEOUT_MS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

  private record State(boolean up, String error) {}

  private static final State UP = new State(true, null);
  private static final State NOT_CHECKED = new State(false, "not checked yet");

  private final Vertx vertx;
  private final long periodMs;
  private final long probeTimeoutMs;
  private final Map<String, Supplier<Future<?>>> probes = new ConcurrentHashMap<>();
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private volatile long timerId = -1;

  public HealthChecks(Vertx vertx) {
    this(vertx, DEFAULT_PERIOD_MS, DEFAULT_PROBE_TIMEOUT_MS);
  }

  public HealthChecks(Vertx vertx, long periodMs, long probeTimeoutMs) {
    if (periodMs <= 0 || probeTimeoutMs <= 0) {
      throw new IllegalArgumentException("period and probe timeout must be positive");
    }
    this.vertx = vertx;
    this.periodMs = periodMs;
    this.probeTimeoutMs = probeTimeoutMs;
  }

  /** Adds a probe; it counts as DOWN until its first run. Register before {@link #start}. */
  public HealthChecks register(String name, Supplier<Future<?>> probe) {
    probes.put(name, probe);
    states.putIfAbsent(name, NOT_CHECKED);
    return this;
  }

  /** Sets a flag check; a name set here must not also be a probe. */
  public void setUp(String name, boolean up) {
    record(name, up ? UP : new State(false, "down"));
  }

  public void setDown(String name, String error) {
    record(name, new State(false, error));
  }

  /** Runs every probe once, then on the timer; completes once that first round has an answer. Call once. */
  public Future<Void> start() {
    Future<Void> first = runProbes();
    timerId = vertx.setPeriodic(periodMs, periodMs, id -> runProbes());
    return first;
  }

  public void stop() {
    long id = timerId;
    if (id >= 0) {
      vertx.cancelTimer(id);
      timerId = -1;
    }
  }

  public boolean isUp() {
    return states.values().stream().allMatch(State::up);
  }

  /** {@code {"status":"UP"|"DOWN","checks":{name:{"status":..,"error":..}}}}, checks in name order. */
  public JsonObject status() {
    JsonObject checks = new JsonObject();
    boolean up = true;
    for (Map.Entry<String, State> entry : new TreeMap<>(states).entrySet()) {
      State state = entry.getValue();
      up &= state.up();
      JsonObject check = new JsonObject().put("status", state.up() ? "UP" : "DOWN");
      if (!state.up()) {
        check.put("error", state.error());
      }
      checks.put(entry.getKey(), check);
    }
    return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
  }

  private Future<Void> runProbes() {
    List<Future<Void>> runs = probes.entrySet().stream()
        .filter(entry -> running.add(entry.getKey()))
        .map(entry -> probe(entry.getKey(), entry.getValue()))
        .toList();
    return Future.join(runs).mapEmpty();
  }

  private Future<Void> probe(String name, Supplier<Future<?>> probe) {
    Future<?> result;
    try {
      result = probe.get();
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result
        .timeout(probeTimeoutMs, TimeUnit.MILLISECONDS)
        .<Void>transform(outcome -> {
          running.remove(name);
          record(name, outcome.succeeded() ? UP : new State(false, describe(outcome.cause())));
          return Future.succeededFuture();
        });
  }

  /** Logs only changes: one line when a check goes DOWN or comes back. */
  private void record(String name, State state) {
    State previous = states.put(name, state);
    if (previous != null && previous != NOT_CHECKED && previous.up() != state.up()) {
      if (state.up()) {
        LOG.info("health: {} is UP again", name);
      } else {
        LOG.warn("health: {} is DOWN: {}", name, state.error());
      }
    }
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
  }

  /** PostgreSQL answers a query through the pool. */
  public static Supplier<Future<?>> pg(Pool pool) {
    return () -> pool.query("SELECT 1").execute();
  }

  /** Redis answers PING. */
  public static Supplier<Future<?>> redis(Redis redis) {
    return () -> redis.send(Request.cmd(Command.PING));
  }

  public static Supplier<Future<?>> redis(RedisAPI redis) {
    return () -> redis.ping(List.of());
  }

  /** The Kafka cluster answers and has a broker (Kafka mode, docs/protocol.md §1). */
  public static Supplier<Future<?>> kafka(KafkaAdminClient admin) {
    return () -> admin.describeCluster().compose(cluster -> cluster.getNodes().isEmpty()
        ? Future.failedFuture("no Kafka broker")
        : Future.succeededFuture());
  }

  /** Hazelcast runs and this member is among the cluster's members (local state, no network call). */
  public static Supplier<Future<?>> cluster(HazelcastInstance hazelcast) {
    return () -> {
      if (!hazelcast.getLifecycleService().isRunning()) {
        return Future.failedFuture("hazelcast is not running");
      }
      if (!hazelcast.getCluster().getMembers().contains(hazelcast.getCluster().getLocalMember())) {
        return Future.failedFuture("this member is not in the cluster");
      }
      return Future.succeededFuture();
    };
  }
}
