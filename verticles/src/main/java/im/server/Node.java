package im.server;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import im.server.admin.AdminRoutes;
import im.server.admin.ClusterAdmin;
import im.server.admin.NodeAdminVerticle;
import im.server.admin.VerticleScaler;
import im.server.api.ApiRouter;
import im.server.api.GroupRoutes;
import im.server.api.TodoRoutes;
import im.shared.store.GroupStore;
import im.shared.store.TodoStore;
import im.server.api.HttpVerticle;
import im.server.api.WebRoutes;
import im.server.call.CallHandler;
import im.server.call.CallStore;
import im.server.delivery.NodeDeliveryVerticle;
import im.server.delivery.RoomDeliveryVerticle;
import im.server.gateway.GatewayServices;
import im.server.gateway.TcpGatewayVerticle;
import im.server.gateway.WsGateway;
import im.shared.cluster.PartitionOwners;
import im.server.session.ClusterDevices;
import im.server.session.LocalSessions;
import im.server.session.SessionVerticle;
import im.server.session.Sessions;
import im.server.message.MessagePersisterVerticle;
import im.server.message.MessageVerticle;
import im.server.message.OwnerDispatchVerticle;
import im.server.message.OwnerRouter;
import im.server.message.OwnershipEvents;
import im.server.presence.Presence;
import im.server.presence.PresenceStore;
import im.server.presence.PresenceVerticle;
import im.server.push.PushVerticle;
import im.server.user.Accounts;
import im.server.user.Blocks;
import im.server.user.Friends;
import im.server.user.SendPolicy;
import im.server.user.UserVerticle;
import im.shared.Ids;
import im.shared.auth.AccessTokens;
import im.shared.auth.JwtTokens;
import im.shared.auth.TokenRevoker;
import im.shared.limits.Throttle;
import im.shared.store.TokenStore;
import im.shared.auth.PasswordHasher;
import im.shared.cluster.ClusterSetup;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.events.EventPublisher;
import im.shared.events.KafkaEventPublisher;
import im.shared.health.HealthChecks;
import im.shared.metrics.ImMetrics;
import im.shared.metrics.Prometheus;
import im.shared.bus.RecordCodec;
import im.shared.routes.EventBusFanout;
import im.shared.routes.HazelcastRoutingTable;
import im.shared.routes.RoutingTable;
import im.shared.kafka.KafkaMessageLog;
import im.shared.kafka.KafkaPersistenceBarrier;
import im.shared.kafka.KafkaSetup;
import im.shared.message.MessageWriter;
import im.shared.message.PersistenceBarrier;
import im.shared.seq.SeqAllocator;
import im.shared.store.PushAudience;
import im.shared.store.ReadCursors;
import im.shared.store.SocialStore;
import im.shared.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One node: a clustered Vert.x with every verticle kind deployed, wired to PostgreSQL, Redis and the
 * Hazelcast routing table. {@link #start} does the blocking bootstrap ({@link StartupChecks}, database creation
 * and migrations) on the calling thread, so call it from {@code main} or a test, never from an event loop.
 */
public final class Node {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  /** The verticle kinds operators may scale ({@code POST /admin/verticles/{name}/scale}). */
  public static final String HTTP = "http";
  public static final String TCP = "tcp";
  public static final String MESSAGE = "message";
  /** How long a node waits for another's answer to an admin or device-limit request. */
  private static final long CLUSTER_REQUEST_TIMEOUT_MS = 2000;
  private static final int MEMBER_SILENCE_SECONDS = 10;
  private static final int KAFKA_START_ATTEMPTS = 10;
  private static final long KAFKA_START_RETRY_MS = 500;
  /** How often the oldest member of each side of a split looks for the other side, to merge (Hazelcast: 300 s, 120 s). */
  private static final int SPLIT_MERGE_CHECK_SECONDS = 10;

  /** Raised when a port is taken or PostgreSQL, Redis or Kafka cannot be reached at start: the message names which. */
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
  private final HazelcastInstance hazelcast;
  private final HealthChecks health;
  private final Prometheus prometheus;
  private final ImMetrics metrics;
  private final LocalSessions sessions;
  private final AtomicInteger messageInstances = new AtomicInteger();
  private final Deployments deployments;
  private OwnershipEvents ownership;
  /** Kafka mode only (docs/architecture.md, Kafka mode): set by {@link #startKafka}. */
  private KafkaAdminClient kafkaAdmin;
  private KafkaProducer<String, String> kafkaProducer;
  private int messagePartitions;
  private PersistenceBarrier barrier = PersistenceBarrier.NONE;
  /** Events and offline pushes to Kafka (docs/events.md); {@link EventPublisher#NONE} before start or without Kafka. */
  private volatile EventPublisher events = EventPublisher.NONE;
  /** Bound at start: the configured ports, or those picked where the settings say 0. */
  private volatile int httpPort;
  private volatile int tcpPort;

  private Node(ImConfig config, String nodeId, Vertx vertx, Pool pool, Redis redis, HazelcastInstance hazelcast,
               HazelcastRoutingTable routes, HealthChecks health, Prometheus prometheus) {
    this.hazelcast = hazelcast;
    this.config = config;
    this.nodeId = nodeId;
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.routes = routes;
    this.health = health;
    this.prometheus = prometheus;
    this.metrics = new ImMetrics(prometheus.registry());
    this.sessions = new LocalSessions(config.realtime().maxDevices());
    this.deployments = new Deployments(vertx);
  }

  public static Future<Node> start(ImConfig config) {
    StartupChecks.verify(config);
    Database.prepare(config.pg());
    String nodeId = config.nodeId().isEmpty() ? "node-" + Ids.newId().substring(0, 8) : config.nodeId();
    Prometheus prometheus = new Prometheus();
    HazelcastClusterManager clusterManager = new HazelcastClusterManager(failureDetection(ClusterSetup.config(config.cluster(), nodeId)));
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(prometheus.options())
        .setEventBusOptions(new EventBusOptions().setHost(config.cluster().host()));
    return Vertx.builder()
        .with(options)
        .withClusterManager(clusterManager)
        .withMetrics(prometheus.factory())
        .buildClustered()
        .compose(vertx -> {
          RecordCodec.register(vertx);
          Redis redis = Redis.createClient(vertx, sharedRedisOptions(config.redis().url()));
          Pool pool = Database.pool(vertx, config.pg());
          HazelcastRoutingTable routes = new HazelcastRoutingTable(vertx, clusterManager.getHazelcastInstance());
          Node node = new Node(config, nodeId, vertx, pool, redis, clusterManager.getHazelcastInstance(), routes,
              new HealthChecks(vertx), prometheus);
          return node.startKafka()
              .compose(v -> node.connectEvents())
              .compose(v -> node.deploy())
              .map(node)
              .recover(failure -> {
                // Not chained: continuations of a closing Vert.x would run on its terminated event loops.
                node.events.close();
                vertx.close();
                return Future.failedFuture(failure);
              });
        })
        .onFailure(failure -> prometheus.close());
  }

  /**
   * A member that stops answering is removed after {@value #MEMBER_SILENCE_SECONDS} s, not Hazelcast's default 60:
   * docs/protocol.md §1 wants a dead node's conversations served elsewhere within 30 s. A killed process whose host still
   * answers (connection refused) is noticed within about a second either way; the silence limit matters for a
   * host or pod that vanishes. A member paused longer than that (a huge GC pause) is dropped and rejoins.
   * A healed split merges within {@value #SPLIT_MERGE_CHECK_SECONDS} s of the heal rather than minutes later: while
   * split, each side delivers only to its own members' connections (the rest is found by sync), so the split is kept
   * short (docs/architecture.md, "Failure handling").
   */
  private static Config failureDetection(Config hazelcast) {
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(MEMBER_SILENCE_SECONDS));
    hazelcast.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(SPLIT_MERGE_CHECK_SECONDS));
    hazelcast.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(SPLIT_MERGE_CHECK_SECONDS));
    return hazelcast;
  }

  /**
   * The node's pooled Redis client, shared by presence, login throttles and health. Vert.x's defaults (6
   * connections, 24 waiting requests) refuse requests as soon as a burst of logins meets presence traffic; these
   * bounds absorb bursts while still failing fast when Redis is really gone.
   */
  private static RedisOptions sharedRedisOptions(String url) {
    return new RedisOptions().setConnectionString(url).setMaxPoolSize(16).setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(4096);
  }

  /**
   * Kafka mode: creates the topics (partitions and replicas as configured; existing ones are kept), then the producer
   * the owners append with and the barrier readers wait on. A broker that cannot be reached stops the start, as
   * PostgreSQL and Redis do.
   */
  private Future<Void> startKafka() {
    ImConfig.Kafka kafka = config.kafka();
    if (!kafka.enabled()) {
      return Future.succeededFuture();
    }
    kafkaAdmin = KafkaAdminClient.create(vertx, KafkaSetup.admin(kafka));
    return createTopics(kafka, KAFKA_START_ATTEMPTS)
        // Built on a worker (a producer's construction blocks), and the log's metadata fetched before the first
        // send needs it: a first send then does not spend its send timeout waiting for metadata.
        .compose(partitions -> vertx.executeBlocking(() -> KafkaProducer.<String, String>create(vertx, KafkaSetup.producer(kafka)))
            .compose(producer -> producer.partitionsFor(KafkaSetup.MESSAGES).map(producer))
            .map(producer -> {
              kafkaProducer = producer;
              return partitions;
            }))
        .<Void>map(partitions -> {
          messagePartitions = partitions;
          barrier = new KafkaPersistenceBarrier(vertx, kafkaAdmin, partitions, kafka.readWaitMs());
          health.register("kafka", HealthChecks.kafka(kafkaAdmin));
          LOG.info("Kafka mode: messages logged to {} ({} partitions) at {}", KafkaSetup.MESSAGES, partitions,
              kafka.bootstrap());
          return null;
        })
        .recover(failure -> Future.failedFuture(new StartupException(
            "Kafka at " + kafka.bootstrap() + " is unreachable: " + failure.getMessage())));
  }

  /** A broker that has just started may not serve metadata yet: a few attempts before the start gives up. */
  private Future<Integer> createTopics(ImConfig.Kafka kafka, int attemptsLeft) {
    return KafkaSetup.createTopics(kafkaAdmin, kafka).recover(failure -> attemptsLeft <= 1
        ? Future.failedFuture(failure)
        : vertx.timer(KAFKA_START_RETRY_MS).compose(t -> createTopics(kafka, attemptsLeft - 1)));
  }

  /** With Kafka configured, the producer of im.events and im.push (docs/events.md); it connects lazily. */
  private Future<Void> connectEvents() {
    if (config.kafkaBootstrap().isEmpty()) {
      return Future.succeededFuture();
    }
    return KafkaEventPublisher.create(vertx, config.kafkaBootstrap(), nodeId + "-events", metrics)
        .onSuccess(publisher -> events = publisher)
        .mapEmpty();
  }

  private Future<Void> deploy() {
    EventBusFanout fanout = new EventBusFanout(vertx, routes, nodeId);
    JwtTokens tokens = new JwtTokens(vertx, config.jwt());
    TokenStore tokenStore = new TokenStore(pool);
    AccessTokens access = new AccessTokens(vertx, tokens, tokenStore);
    ReadCursors reads = new ReadCursors(pool, fanout, barrier, events);
    PartitionOwners convOwnership = new PartitionOwners(hazelcast);
    SocialStore social = new SocialStore(pool);
    SendPolicy sendPolicy = new SendPolicy(vertx, social, config.requireFriendship());
    PresenceStore presenceStore = new PresenceStore(redis);
    Presence presence = new Presence(vertx, nodeId, convOwnership, presenceStore);
    routes.onUsersDropped(uids -> uids.forEach(presence::disconnected));
    OwnerRouter owners = new OwnerRouter(vertx, nodeId, convOwnership, messageInstances::get,
        config.messages().ownerTimeoutMs(), sendPolicy);
    Sessions sessionSide = new Sessions(sessions, nodeId, routes, presence);
    routes.onRoutesLost(sessionSide::rewriteRoutes);
    GatewayServices gateway = new GatewayServices(config, nodeId, access, owners, reads, metrics, sessionSide, presence);
    ApiRouter api = ApiRouter.create(vertx, config, pool, tokens, reads, barrier);
    Accounts accounts = new Accounts(new UserStore(pool), new PasswordHasher(vertx, config.passwordIterations()));
    Friends friends = new Friends(social, fanout, sendPolicy, presence::shown, events);
    Blocks blocks = new Blocks(social, sendPolicy, events);
    AdminRoutes admin = new AdminRoutes(config.adminToken(), nodeId,
        new ClusterAdmin(vertx, () -> memberIds(hazelcast), CLUSTER_REQUEST_TIMEOUT_MS));
    api.withGroups(new GroupRoutes(owners, new GroupStore(pool)))
        .withTodos(new TodoRoutes(new TodoStore(pool), fanout))
        .withAccounts(access, new TokenRevoker(vertx, tokenStore, access), new Throttle(redis, config.cluster().name()),
            config.limits());
    WsGateway ws = new WsGateway(vertx, gateway);
    sessions.onSignedIn(new ClusterDevices(vertx, nodeId, routes, sessions, config.realtime().maxDevices(),
        CLUSTER_REQUEST_TIMEOUT_MS)::signedIn);
    ownership = new OwnershipEvents(vertx, hazelcast, messageInstances::get);
    CallHandler.Setup calls = new CallHandler.Setup(nodeId, Ids.newId(), convOwnership, routes,
        new CallStore(redis, config.cluster().name()), config.calls().ringTimeoutMs());

    health.register("postgresql", HealthChecks.pg(pool));
    health.register("redis", HealthChecks.redis(redis));
    health.register("cluster", HealthChecks.cluster(hazelcast));
    AtomicReference<HttpVerticle> anyHttp = new AtomicReference<>();
    AtomicReference<TcpGatewayVerticle> anyTcp = new AtomicReference<>();
    health.setDown("http", "starting");
    health.setDown("tcp", "starting");

    return routes.start()
        .onSuccess(v -> ownership.start())
        .compose(v -> sendPolicy.start())
        .compose(v -> deployments.single("presence",
            index -> new PresenceVerticle(nodeId, routes, presenceStore, social, fanout, config.presence(), events)))
        .compose(v -> config.push().enabled() || events.enabled()
            ? deployments.single("push", index -> new PushVerticle(config.push(), new PushAudience(pool, barrier), metrics, events))
            : Future.<Void>succeededFuture())
        .compose(v -> config.kafka().enabled()
            ? deployments.single("persister", index -> new MessagePersisterVerticle(config.kafka(),
                KafkaSetup.PERSISTER_GROUP, KafkaSetup.persisterClientId(nodeId), new MessageWriter(pool)))
            : Future.<Void>succeededFuture())
        .compose(v -> deployments.scalable(MESSAGE,
            index -> new MessageVerticle(index, config, ownerStores(), fanout, metrics, events, calls),
            config.messages().instances(), this::messageInstancesChanged))
        .compose(v -> deployments.single("owner-dispatch",
            index -> new OwnerDispatchVerticle(nodeId, messageInstances::get, config.messages().ownerTimeoutMs())))
        .compose(v -> deployments.single("delivery", index -> new NodeDeliveryVerticle(nodeId, sessions, metrics)))
        .compose(v -> deployments.single("rooms", index -> new RoomDeliveryVerticle(sessions.rooms(), metrics)))
        .compose(v -> deployments.single("sessions", index -> new SessionVerticle(nodeId, sessions, access)))
        // After the revocation consumer listens, so that no revocation falls between the load and the events.
        .compose(v -> access.load())
        .compose(v -> deployments.single("admin", index -> new NodeAdminVerticle(nodeId, sessions, scaler())))
        .compose(v -> deployments.single("user", index -> new UserVerticle(accounts, friends, blocks)))
        .compose(v -> deployments.scalable(HTTP,
            index -> latest(anyHttp, new HttpVerticle(List.of(new WebRoutes(), api, admin), ws, health, prometheus)),
            config.http().instances(), count -> { }))
        .onSuccess(v -> {
          httpPort = anyHttp.get().actualPort();
          health.setUp("http", true);
        })
        .compose(v -> deployments.scalable(TCP, index -> latest(anyTcp, new TcpGatewayVerticle(gateway)),
            config.tcp().instances(), count -> { }))
        .onSuccess(v -> {
          tcpPort = anyTcp.get().actualPort();
          health.setUp("tcp", true);
        })
        .compose(v -> health.start())
        // The bound ports, not the configured ones (which may be 0): tests that start Main read them here.
        .onSuccess(v -> LOG.info("node {} up: http {}:{}, tcp {}:{}, cluster {}:{}", nodeId,
            config.http().host(), httpPort, config.tcp().host(), tcpPort, config.cluster().host(), clusterPort()));
  }

  /** Remembers the latest instance a factory made: every instance of a kind listens on the same port. */
  private static <T> T latest(AtomicReference<T> latest, T verticle) {
    latest.set(verticle);
    return verticle;
  }

  /** Each owner instance gets its own seq allocator: one pipelined Redis connection per instance. */
  private MessageVerticle.Stores ownerStores() {
    SeqAllocator seqs = new SeqAllocator(vertx, config.redis().url());
    MessageWriter writer = new MessageWriter(pool);
    if (kafkaProducer == null) {
      return MessageVerticle.Stores.direct(seqs, writer, new GroupStore(pool));
    }
    return new MessageVerticle.Stores(seqs, writer, new GroupStore(pool),
        new KafkaMessageLog(vertx, kafkaProducer, writer, messagePartitions), barrier);
  }

  /** Owners hash conversations over the running instances: a new count moves some of them to another instance. */
  private void messageInstancesChanged(int count) {
    if (messageInstances.getAndSet(count) != count && ownership != null) {
      ownership.instancesChanged();
    }
  }

  private VerticleScaler scaler() {
    return new VerticleScaler() {
      @Override
      public Map<String, Integer> counts() {
        return deployments.counts();
      }

      @Override
      public Future<Integer> scale(String kind, int instances) {
        return deployments.scale(kind, instances);
      }
    };
  }

  private static List<String> memberIds(HazelcastInstance hazelcast) {
    return hazelcast.getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf).toList();
  }

  /**
   * SIGTERM drain (docs/protocol.md §1): refuse new connections and tell every client {@code kicked shutdown},
   * then stop the gateways, store and ack every send already taken, and leave the cluster.
   */
  public Future<Void> stop() {
    LOG.info("node {} draining", nodeId);
    health.setDown("http", "shutting down");
    return sessions.drain()
        .timeout(config.drainTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(timeout -> Future.succeededFuture())
        .compose(v -> deployments.undeploy(List.of(TCP, HTTP, "user", "admin", "sessions", "delivery")))
        .compose(v -> deployments.undeploy(List.of("owner-dispatch", MESSAGE, "push")))
        // After the owners drained: the persister stores what they appended last, then leaves its group. Bounded: a
        // persister stuck on PostgreSQL has committed no offset for what it holds, so another node stores it.
        .compose(v -> deployments.undeploy(List.of("persister"))
            .timeout(config.drainTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .recover(stuck -> {
              LOG.warn("node {}: the persister did not stop within {} ms; its uncommitted rows are left to the group",
                  nodeId, config.drainTimeoutMs());
              return Future.succeededFuture();
            }))
        // After the owners' last acks and pushes, so that their events still leave.
        .eventually(() -> events.close())
        .eventually(this::closeKafka)
        .eventually(() -> {
          health.stop();
          if (ownership != null) {
            ownership.stop();
          }
          return routes.close();
        })
        .eventually(() -> pool.close())
        .eventually(() -> vertx.close())
        .onComplete(done -> {
          prometheus.close();
          LOG.info("node {} stopped", nodeId);
        });
  }

  private Future<Void> closeKafka() {
    if (kafkaAdmin == null) {
      return Future.succeededFuture();
    }
    Future<Void> producerClosed = kafkaProducer == null ? Future.succeededFuture() : kafkaProducer.close();
    return Future.join(producerClosed, kafkaAdmin.close()).mapEmpty();
  }

  public ImConfig config() {
    return config;
  }

  public String nodeId() {
    return nodeId;
  }

  /** The port the HTTP servers (API, /ws, /health) listen on; valid once started. */
  public int httpPort() {
    return httpPort;
  }

  /** The port the TCP gateways listen on; valid once started. */
  public int tcpPort() {
    return tcpPort;
  }

  /** The port this node's Hazelcast member listens on, where other members join it. */
  public int clusterPort() {
    return hazelcast.getCluster().getLocalMember().getAddress().getPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The cluster-wide routing table (uid → node → devices), as this node sees it. */
  public RoutingTable routes() {
    return routes;
  }

  /** The node's Hazelcast member: membership and partition ownership, for operators' tools and tests. */
  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  /** This node's connections, for tests that look at rooms and devices. */
  public LocalSessions sessions() {
    return sessions;
  }
}
