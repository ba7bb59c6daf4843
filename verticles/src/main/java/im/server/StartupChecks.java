package im.server;

import im.shared.config.ConfigException;
import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a node checks before it prints anything else (docs/protocol.md §1): its listening ports are free, and Redis
 * and, when {@code IM_KAFKA_BOOTSTRAP} is set, Kafka answer. PostgreSQL is checked right after, by the first
 * connection of {@code Database.prepare}, still before any migration runs. Without these checks an operator would
 * read the cause after pages of Flyway and Hazelcast logs, or as a stack trace from deep in a deployment.
 *
 * <p>Blocks the calling thread (up to {@value #DEADLINE_MS} ms per server): call it from {@code main} or a test.
 */
final class StartupChecks {

  private static final long DEADLINE_MS = 5000;

  private StartupChecks() {}

  /** @throws Node.StartupException naming the port or the server that is not usable */
  static void verify(ImConfig config) {
    portsAreFree(config);
    // A private Vert.x: the node's own is clustered, and building it starts Hazelcast.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    try {
      redisAnswers(vertx, config.redis().url());
      if (!config.kafkaBootstrap().isEmpty()) {
        kafkaAnswers(vertx, config.kafkaBootstrap());
      }
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Binds every configured port (0 picks one later, so it is skipped) and holds them all until the last one is bound,
   * so that two settings naming the same port are caught too. Reuse-address is on, as in Vert.x's and Hazelcast's
   * own servers, so the real bind that follows is not refused by these sockets' closing.
   */
  private static void portsAreFree(ImConfig config) {
    List<ServerSocket> bound = new ArrayList<>();
    try {
      bind(bound, "HTTP", "IM_HTTP_PORT", config.http().host(), config.http().port());
      bind(bound, "the TCP gateway", "IM_TCP_PORT", config.tcp().host(), config.tcp().port());
      bind(bound, "Hazelcast", "IM_CLUSTER_PORT", config.cluster().host(), config.cluster().port());
    } finally {
      for (ServerSocket socket : bound) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Closing a socket that only listened cannot lose anything.
        }
      }
    }
  }

  private static void bind(List<ServerSocket> bound, String what, String variable, String host, int port) {
    if (port == 0) {
      return;
    }
    try {
      ServerSocket socket = new ServerSocket();
      bound.add(socket);
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new Node.StartupException("port " + port + " (" + variable + ") on " + host + " cannot be bound for " + what
          + ": " + e.getMessage());
    }
  }

  private static void redisAnswers(Vertx vertx, String url) {
    RedisOptions options = new RedisOptions().setConnectionString(url);
    options.getNetClientOptions().setConnectTimeout((int) DEADLINE_MS);
    Redis redis = Redis.createClient(vertx, options);
    try {
      await(redis.send(Request.cmd(Command.PING)));
    } catch (Exception e) {
      throw new Node.StartupException("Redis at " + url.replaceAll("//[^@/]*@", "//***@") + " is unreachable: "
          + e.getMessage());
    } finally {
      redis.close();
    }
  }

  /** One bootstrap server that accepts a connection is enough: the Kafka client learns the others from it. */
  private static void kafkaAnswers(Vertx vertx, String bootstrap) {
    var client = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) DEADLINE_MS));
    List<String> failures = new ArrayList<>();
    for (String server : bootstrap.split(",")) {
      String hostPort = server.strip();
      int colon = hostPort.lastIndexOf(':');
      int port = colon > 0 ? parsePort(hostPort.substring(colon + 1)) : -1;
      if (port < 1) {
        throw new ConfigException("IM_KAFKA_BOOTSTRAP (kafka.bootstrap): '" + hostPort + "' is not host:port");
      }
      try {
        await(client.connect(port, hostPort.substring(0, colon))).close();
        return;
      } catch (Exception e) {
        failures.add(hostPort + " (" + e.getMessage() + ")");
      }
    }
    throw new Node.StartupException("Kafka (IM_KAFKA_BOOTSTRAP) is unreachable: " + String.join(", ", failures));
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      return port <= 65535 ? port : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static <T> T await(Future<T> future) {
    return future.timeout(DEADLINE_MS, TimeUnit.MILLISECONDS).await();
  }
}
