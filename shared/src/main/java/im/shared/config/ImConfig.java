package im.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The node's whole configuration, read once at start by {@link ImConfigLoader} and validated by
 * {@link ConfigReader}, so a wrong setting stops the node with one line naming it. Each record reads its own
 * settings; their defaults live only in {@code conf/im.json}. Immutable, safe to share between threads.
 */
public record ImConfig(
    String nodeId,
    Http http,
    Tcp tcp,
    Realtime realtime,
    Cluster cluster,
    Pg pg,
    Redis redis,
    Kafka kafka,
    Jwt jwt,
    String adminToken,
    Messages messages,
    Groups groups,
    Presence presence,
    Push push,
    boolean requireFriendship,
    long mediaMaxBytes,
    int passwordIterations,
    long drainTimeoutMs,
    Limits limits,
    Embedded embedded,
    Calls calls,
    JsonObject json) {

  /** Defaults, then {@code file} (may be null), then {@code env}: see {@link ImConfigLoader#load}. */
  public static ImConfig load(Path file, Map<String, String> env) {
    return ImConfigLoader.load(file, env);
  }

  /** Defaults with {@code overrides} deep-merged over them: what tests and embedders use. */
  public static ImConfig of(JsonObject overrides) {
    return ImConfigLoader.of(overrides);
  }

  /** {@code kafka.bootstrap}: empty when Kafka mode is off. */
  public String kafkaBootstrap() {
    return kafka.bootstrap();
  }

  public static JsonObject defaults() {
    return ImConfigLoader.defaults();
  }

  /**
   * This configuration with the servers of embedded mode in place of the defaulted URLs: everything after start
   * then runs exactly as against servers an operator named.
   */
  public ImConfig withServers(String pgUrl, String redisUrl) {
    return ImConfigLoader.withServers(this, pgUrl, redisUrl);
  }

  static ImConfig from(ConfigReader r, JsonObject json, boolean serversGiven) {
    return new ImConfig(
        r.optionalString("node.id"),
        Http.from(r),
        Tcp.from(r),
        Realtime.from(r),
        Cluster.from(r),
        Pg.from(r),
        new Redis(r.url("redis.url", "redis://host:port", "redis", "rediss")),
        Kafka.from(r),
        Jwt.from(r),
        r.optionalString("admin.token"),
        Messages.from(r),
        Groups.from(r),
        Presence.from(r),
        Push.from(r),
        r.bool("p2p.requireFriendship"),
        r.longAtLeast("media.maxBytes", 1),
        r.intAtLeast("security.passwordIterations", 1),
        r.longAtLeast("shutdown.drainTimeoutMs", 1),
        Limits.from(r),
        new Embedded(!serversGiven, Embedded.dir(r)),
        Calls.from(r),
        json);
  }

  /**
   * @param requestTimeoutMs how long an HTTP connection (not an upgraded WebSocket) may stay idle or take to send
   *                         one whole request before it is closed (docs/protocol.md §4, Accounts)
   */
  public record Http(String host, int port, int instances, List<String> allowedOrigins, long requestTimeoutMs) {
    static Http from(ConfigReader r) {
      return new Http(r.string("http.host"), r.port("http.port"), r.instances("http.instances"),
          r.stringList("http.allowedOrigins"), r.longAtLeast("http.requestTimeoutMs", 1));
    }
  }

  public record Tcp(String host, int port, int instances) {
    static Tcp from(ConfigReader r) {
      return new Tcp(r.string("tcp.host"), r.port("tcp.port"), r.instances("tcp.instances"));
    }
  }

  public record Realtime(
      int maxFrameBytes,
      long authTimeoutMs,
      long heartbeatMs,
      long tcpIdleTimeoutMs,
      long wsPingIntervalMs,
      int maxDevices,
      long resendIntervalMs,
      int maxResends,
      int resendWindow,
      long writeQueueMaxFullMs,
      int sendsPerSecond,
      int sendBurst) {

    static Realtime from(ConfigReader r) {
      return new Realtime(
          r.intAtLeast("realtime.maxFrameBytes", 1),
          r.longAtLeast("realtime.authTimeoutMs", 1),
          r.longAtLeast("realtime.heartbeatMs", 1),
          r.longAtLeast("realtime.tcpIdleTimeoutMs", 1),
          r.longAtLeast("realtime.wsPingIntervalMs", 1),
          r.intAtLeast("realtime.maxDevices", 1),
          r.longAtLeast("realtime.resendIntervalMs", 1),
          r.intAtLeast("realtime.maxResends", 0),
          r.intAtLeast("realtime.resendWindow", 1),
          r.longAtLeast("realtime.writeQueueMaxFullMs", 1),
          r.intAtLeast("realtime.sendsPerSecond", 1),
          r.intAtLeast("realtime.sendBurst", 1));
    }
  }

  /** {@code members} is empty for a single node. */
  public record Cluster(String name, String host, int port, List<String> members) {
    static Cluster from(ConfigReader r) {
      return new Cluster(r.string("cluster.name"), r.string("cluster.host"), r.port("cluster.port"),
          r.hostPorts("cluster.members"));
    }
  }

  public record Pg(String host, int port, String database, String user, String password, int poolSize) {
    private static final String SHAPE = "postgresql://[user[:password]@]host[:port]/database";

    static Pg from(ConfigReader r) {
      String url = r.url("pg.url", SHAPE, "postgresql", "postgres");
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException e) {
        throw r.invalid("pg.url", "not a URL: " + url.replaceAll("//[^@/]*@", "//***@"));
      }
      if (uri.getHost() == null) {
        throw r.invalid("pg.url", "must look like " + SHAPE);
      }
      String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "im" : uri.getPath().substring(1);
      String user = "postgres";
      String password = null;
      if (uri.getUserInfo() != null) {
        String[] userInfo = uri.getUserInfo().split(":", 2);
        user = userInfo[0];
        password = userInfo.length > 1 ? userInfo[1] : null;
      }
      return new Pg(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password,
          r.intAtLeast("pg.poolSize", 1));
    }
  }

  public record Redis(String url) {}

  /**
   * Embedded mode (docs/protocol.md §1): {@code wanted} when the operator gave neither {@code pg.url} nor
   * {@code redis.url} (environment or config file; the defaults of {@code conf/im.json} do not count), and then the
   * node runs its own PostgreSQL and Redis with their data under {@code dir} ({@code embedded.dir}, {@code IM_DATA_DIR}).
   */
  public record Embedded(boolean wanted, Path dir) {
    static Path dir(ConfigReader r) {
      String dir = r.string("embedded.dir");
      try {
        return Path.of(dir);
      } catch (InvalidPathException e) {
        throw r.invalid("embedded.dir", "not a path: " + dir);
      }
    }
  }

  /** {@code secret} is empty when none was configured: the node then generates one and warns. */
  public record Jwt(String secret, long ttlSeconds) {
    static Jwt from(ConfigReader r) {
      String secret = r.optionalString("jwt.secret");
      if (!secret.isEmpty() && secret.length() < 16) {
        throw r.invalid("jwt.secret", "must be at least 16 characters");
      }
      return new Jwt(secret, r.longAtLeast("jwt.ttlSeconds", 1));
    }
  }

  /**
   * Kafka mode (docs/architecture.md, Kafka mode), on when {@code bootstrap} is set.
   *
   * @param bootstrap         {@code host:port,...} of the brokers ({@code IM_KAFKA_BOOTSTRAP}); empty = off
   * @param partitions        partitions of each topic the node creates ({@code IM_KAFKA_PARTITIONS})
   * @param replicationFactor replicas of each topic the node creates ({@code IM_KAFKA_REPLICATION_FACTOR})
   * @param sendTimeoutMs     a batch Kafka has not acknowledged within this fails its sends with {@code unavailable}
   * @param readWaitMs        how long a read waits for the persister to store what was acked before it began
   */
  public record Kafka(String bootstrap, int partitions, int replicationFactor, long sendTimeoutMs, long readWaitMs) {

    static Kafka from(ConfigReader r) {
      return new Kafka(r.optionalString("kafka.bootstrap"), r.intAtLeast("kafka.partitions", 1),
          r.intBetween("kafka.replicationFactor", 1, Short.MAX_VALUE), r.longAtLeast("kafka.sendTimeoutMs", 100),
          r.longAtLeast("kafka.readWaitMs", 1));
    }

    public boolean enabled() {
      return !bootstrap.isEmpty();
    }
  }

  public record Messages(
      int instances,
      int batchMaxRows,
      long batchMaxDelayMs,
      long recallWindowMs,
      int cmidCacheSize,
      long ownerTimeoutMs) {

    static Messages from(ConfigReader r) {
      return new Messages(
          r.instances("messages.instances"),
          r.intAtLeast("messages.batchMaxRows", 1),
          r.longAtLeast("messages.batchMaxDelayMs", 0),
          r.longAtLeast("messages.recallWindowMs", 1),
          r.intAtLeast("messages.cmidCacheSize", 1),
          r.longAtLeast("messages.ownerTimeoutMs", 1));
    }
  }

  /**
   * Groups, rooms and typing.
   *
   * @param maxMembers       most members a group may have ({@code groups.maxMembers})
   * @param roomHistoryLimit how many of a room's newest messages are kept ({@code rooms.historyLimit})
   * @param typingIntervalMs least time between two forwarded {@code typing} of one connection in one
   *                         conversation ({@code typing.minIntervalMs}); faster ones are dropped
   */
  public record Groups(int maxMembers, int roomHistoryLimit, long typingIntervalMs) {
    static Groups from(ConfigReader r) {
      return new Groups(
          r.intAtLeast("groups.maxMembers", 1),
          r.intAtLeast("rooms.historyLimit", 1),
          r.longAtLeast("typing.minIntervalMs", 1));
    }
  }

  /**
   * Presence announcements.
   *
   * @param graceMs       how long a user must stay without any connection before going offline is announced
   * @param minIntervalMs at most one announcement per user per this many ms; changes in between are coalesced
   * @param statusTtlMs   how long a chosen status (away, busy, invisible) is kept without being set again
   */
  public record Presence(long graceMs, long minIntervalMs, long statusTtlMs) {
    static Presence from(ConfigReader r) {
      return new Presence(
          r.longAtLeast("presence.graceMs", 0),
          r.longAtLeast("presence.minIntervalMs", 0),
          r.longAtLeast("presence.statusTtlMs", 1));
    }
  }

  /**
   * Offline push by webhook (docs/protocol.md §4, Offline push).
   *
   * @param webhookUrl    where each push is POSTed; empty = push off
   * @param webhookSecret HMAC-SHA256 key of the {@code X-IM-Signature} header; empty = unsigned
   * @param previews      whether {@code preview} carries the message text; false sends it empty
   * @param queueSize     pushes waiting for a free slot; past it the oldest waiting one is dropped
   * @param maxInFlight   POSTs under way at once, retries included
   * @param timeoutMs     a POST not answered within this is a failure (and retried)
   * @param firstRetryMs  delay before the first retry; each further one doubles, up to {@code maxBackoffMs}
   * @param retryForMs    a push is retried until this long after its first attempt, then counted as failed
   */
  public record Push(String webhookUrl, String webhookSecret, boolean previews, int queueSize, int maxInFlight,
                     long timeoutMs, long firstRetryMs, long maxBackoffMs, long retryForMs) {

    static Push from(ConfigReader r) {
      String url = r.optionalString("push.webhookUrl");
      if (!url.isEmpty()) {
        url = r.url("push.webhookUrl", "http(s)://host[:port]/path", "http", "https");
      }
      return new Push(url, r.optionalString("push.webhookSecret"), r.bool("push.previews"),
          r.intAtLeast("push.queueSize", 1), r.intAtLeast("push.maxInFlight", 1), r.longAtLeast("push.timeoutMs", 1),
          r.longAtLeast("push.firstRetryMs", 1), r.longAtLeast("push.maxBackoffMs", 1), r.longAtLeast("push.retryForMs", 0));
    }

    public boolean enabled() {
      return !webhookUrl.isEmpty();
    }
  }

  /**
   * Abuse limits (docs/protocol.md §1 {@code limits.*}, §4 accounts); 0 switches a limit off.
   *
   * @param failedLoginsPerUser            failed logins per username per {@code failedLoginWindowSeconds}
   * @param failedLoginsPerAddress         failed logins per client address per {@code failedLoginWindowSeconds}
   * @param failedLoginWindowSeconds       the window both failed-login counts run over
   * @param registrationsPerAddressPerHour registrations per client address per hour
   * @param connectionsPerAddress          open realtime connections per client address on one node
   */
  public record Limits(int failedLoginsPerUser, int failedLoginsPerAddress, long failedLoginWindowSeconds,
                       int registrationsPerAddressPerHour, int connectionsPerAddress) {
    static Limits from(ConfigReader r) {
      return new Limits(
          r.intAtLeast("limits.failedLoginsPerUser", 0),
          r.intAtLeast("limits.failedLoginsPerAddress", 0),
          r.longAtLeast("limits.failedLoginWindowSeconds", 1),
          r.intAtLeast("limits.registrationsPerAddressPerHour", 0),
          r.intAtLeast("limits.connectionsPerAddress", 0));
    }
  }

  /**
   * One-to-one calls (docs/protocol.md §3, Calls; §4 {@code GET /api/v1/calls/config}).
   *
   * @param ringTimeoutMs how long an invite may ring unanswered before the call ends as missed ({@code calls.ringTimeoutMs})
   * @param iceServers    the STUN/TURN servers handed to clients, each {@code {urls, username?, credential?}}
   *                      ({@code calls.iceServers}, {@code IM_ICE_SERVERS} as a JSON array); empty = none
   */
  public record Calls(long ringTimeoutMs, List<JsonObject> iceServers) {
    static Calls from(ConfigReader r) {
      List<JsonObject> servers = r.objectList("calls.iceServers");
      for (JsonObject server : servers) {
        if (!validIceServer(server)) {
          throw r.invalid("calls.iceServers", "each entry must be {urls: string or [string], username?, credential?}, got "
              + server.encode());
        }
      }
      return new Calls(r.longAtLeast("calls.ringTimeoutMs", 1), servers.stream().map(JsonObject::copy).toList());
    }

    private static boolean validIceServer(JsonObject server) {
      Object urls = server.getValue("urls");
      boolean urlsValid = urls instanceof String s && !s.isBlank()
          || urls instanceof JsonArray list && !list.isEmpty()
          && list.stream().allMatch(url -> url instanceof String s && !s.isBlank());
      Object username = server.getValue("username");
      Object credential = server.getValue("credential");
      return urlsValid && (username == null || username instanceof String) && (credential == null || credential instanceof String);
    }
  }
}
