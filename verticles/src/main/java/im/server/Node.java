package im.server;

import im.server.api.ApiRouter;
import im.server.api.GroupRoutes;
import im.server.gateway.RoomDeliveryVerticle;
import im.shared.store.GroupStore;
import im.server.api.HttpVerticle;
import im.server.gateway.GatewayServices;
import im.server.gateway.LocalSessions;
import im.server.gateway.NodeDeliveryVerticle;
import im.server.gateway.TcpGatewayVerticle;
import im.server.gateway.WsGateway;
import im.server.message.ConvOwnership;
import im.server.message.MessageVerticle;
import im.server.message.OwnerDispatchVerticle;
import im.server.message.OwnerRouter;
import im.shared.Ids;
import im.shared.auth.JwtTokens;
import im.shared.auth.PasswordHasher;
import im.shared.cluster.ClusterSetup;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.health.HealthChecks;
import im.shared.metrics.ImMetrics;
import im.shared.metrics.Prometheus;
import im.shared.routes.EventBusFanout;
import im.shared.routes.HazelcastRoutingTable;
import im.shared.store.ReadCursors;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One node: a clustered Vert.x with every verticle kind deployed, wired to PostgreSQL, Redis and the
 * Hazelcast routing table. {@link #start} does the blocking bootstrap (database creation and
 * migrations) on the calling thread, so call it from {@code main} or a test, never from an event loop.
 */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  /** Raised when PostgreSQL or Redis cannot be reached at start: the message names which. */
  public static final class StartupException extends RuntimeException {
    StartupException(String message) {
      super(message, null, false, false);
    }
  }

  private final ImConfig config;
  private final String nodeId;
  private final Vertx vertx;
  private final Pool pool;
  private final Redis redis;
  private final HazelcastRoutingTable routes;
  private final HealthChecks health;
  private final LocalSessions sessions;
  private final AtomicInteger messageInstances = new AtomicInteger();
  private final List<String> gatewayDeployments = new ArrayList<>();
  private final List<String> messageDeployments = new ArrayList<>();

  private Node(ImConfig config, String nodeId, Vertx vertx, Pool pool, Redis redis, HazelcastRoutingTable routes,
               HealthChecks health) {
    this.config = config;
    this.nodeId = nodeId;
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.routes = routes;
    this.health = health;
    this.sessions = new LocalSessions(config.realtime().maxDevices());
  }

  public static Future<Node> start(ImConfig config) {
    Database.prepare(config.pg());
    String nodeId = config.nodeId().isEmpty() ? "node-" + Ids.newId().substring(0, 8) : config.nodeId();
    Prometheus prometheus = new Prometheus();
    HazelcastClusterManager clusterManager = ClusterSetup.clusterManager(config.cluster(), nodeId);
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(prometheus.options())
        .setEventBusOptions(new EventBusOptions().setHost(config.cluster().host()));
    return Vertx.builder()
        .with(options)
        .withClusterManager(clusterManager)
        .withMetrics(prometheus.factory())
        .buildClustered()
        .compose(vertx -> {
          Redis redis = Redis.createClient(vertx, config.redis().url());
          Pool pool = Database.pool(vertx, config.pg());
          HazelcastRoutingTable routes = new HazelcastRoutingTable(vertx, clusterManager.getHazelcastInstance());
          Node node = new Node(config, nodeId, vertx, pool, redis, routes, new HealthChecks(vertx));
          return node.checkRedis()
              .compose(v -> node.deploy(clusterManager, prometheus))
              .map(node)
              .recover(failure -> vertx.close().transform(closed -> Future.failedFuture(failure)));
        });
  }

  private Future<Void> checkRedis() {
    return redis.send(Request.cmd(Command.PING))
        .<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(new StartupException(
            "Redis at " + config.redis().url() + " is unreachable: " + failure.getMessage())));
  }

  private Future<Void> deploy(HazelcastClusterManager clusterManager, Prometheus prometheus) {
    ImMetrics metrics = new ImMetrics(prometheus.registry());
    EventBusFanout fanout = new EventBusFanout(vertx, routes);
    JwtTokens tokens = new JwtTokens(vertx, config.jwt());
    ReadCursors reads = new ReadCursors(pool, fanout);
    OwnerRouter owners = new OwnerRouter(vertx, nodeId, new ConvOwnership(clusterManager.getHazelcastInstance()),
        messageInstances::get, config.messages().ownerTimeoutMs());
    GatewayServices gateway = new GatewayServices(config, nodeId, tokens, owners, reads, routes, metrics, sessions);
    ApiRouter api = ApiRouter.create(vertx, config, pool, tokens, new PasswordHasher(vertx, config.passwordIterations()), reads)
        .withGroups(new GroupRoutes(owners, new GroupStore(pool)));
    WsGateway ws = new WsGateway(vertx, gateway);

    health.register("postgresql", HealthChecks.pg(pool));
    health.register("redis", HealthChecks.redis(redis));
    health.register("cluster", HealthChecks.cluster(clusterManager.getHazelcastInstance()));
    health.setDown("http", "starting");
    health.setDown("tcp", "starting");

    int instances = config.messages().instances();
    AtomicInteger nextIndex = new AtomicInteger();
    return routes.start()
        .compose(v -> deploy(() -> new MessageVerticle(nextIndex.getAndIncrement(), config, pool, fanout, metrics), instances, messageDeployments))
        .onSuccess(v -> messageInstances.set(instances))
        .compose(v -> deploy(() -> new OwnerDispatchVerticle(nodeId, messageInstances::get, config.messages().ownerTimeoutMs()), 1, messageDeployments))
        .compose(v -> deploy(() -> new NodeDeliveryVerticle(nodeId, sessions, metrics), 1, gatewayDeployments))
        .compose(v -> deploy(() -> new RoomDeliveryVerticle(sessions.rooms()), 1, gatewayDeployments))
        .compose(v -> deploy(() -> new HttpVerticle(config, api, ws, health, prometheus), config.http().instances(), gatewayDeployments))
        .onSuccess(v -> health.setUp("http", true))
        .compose(v -> deploy(() -> new TcpGatewayVerticle(gateway), config.tcp().instances(), gatewayDeployments))
        .onSuccess(v -> health.setUp("tcp", true))
        .compose(v -> health.start())
        .onSuccess(v -> log.info("node {} up: http {}:{}, tcp {}:{}, cluster {}:{}", nodeId,
            config.http().host(), config.http().port(), config.tcp().host(), config.tcp().port(),
            config.cluster().host(), config.cluster().port()));
  }

  private Future<Void> deploy(Supplier<io.vertx.core.Deployable> verticle, int instances, List<String> deployments) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  /**
   * SIGTERM drain (PROTOCOL §1): refuse new connections and tell every client {@code kicked shutdown},
   * then stop the gateways, store and ack every send already taken, and leave the cluster.
   */
  public Future<Void> stop() {
    log.info("node {} draining", nodeId);
    health.setDown("http", "shutting down");
    return sessions.drain()
        .timeout(config.drainTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(timeout -> Future.succeededFuture())
        .compose(v -> undeploy(gatewayDeployments))
        .compose(v -> undeploy(messageDeployments))
        .eventually(() -> {
          health.stop();
          return routes.close();
        })
        .eventually(() -> pool.close())
        .eventually(() -> vertx.close())
        .onComplete(done -> log.info("node {} stopped", nodeId));
  }

  private Future<Void> undeploy(List<String> deployments) {
    List<Future<Void>> undeployed = new ArrayList<>();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      undeployed.add(vertx.undeploy(deployments.get(i)));
    }
    deployments.clear();
    return Future.join(undeployed).mapEmpty();
  }

  public ImConfig config() {
    return config;
  }

  public String nodeId() {
    return nodeId;
  }

  public Vertx vertx() {
    return vertx;
  }

  public LocalSessions sessions() {
    return sessions;
  }
}
