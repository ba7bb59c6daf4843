package im.shared.cluster;

import im.shared.config.ImConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Clustered Vert.x nodes on 127.0.0.1 for tests: a fresh cluster name per instance, so runs never meet. */
public final class ClusterNodes implements AutoCloseable {

  public record Node(Vertx vertx, HazelcastClusterManager clusterManager, int port) {}

  private final String name = "im-test-" + UUID.randomUUID();
  private final List<Node> nodes = new ArrayList<>();

  public String name() {
    return name;
  }

  /** Starts a node that joins the first node started (or forms the cluster when it is the first). */
  public Node start(String nodeId) {
    int port = freePort();
    List<String> members = nodes.isEmpty()
        ? List.of("127.0.0.1:" + port)
        : List.of("127.0.0.1:" + nodes.get(0).port());
    HazelcastClusterManager manager =
        ClusterSetup.clusterManager(new ImConfig.Cluster(name, "127.0.0.1", port, members), nodeId);
    Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
    Node node = new Node(vertx, manager, port);
    nodes.add(node);
    return node;
  }

  public void stop(Node node) {
    if (nodes.remove(node)) {
      await(node.vertx().close());
    }
  }

  @Override
  public void close() {
    for (Node node : List.copyOf(nodes)) {
      stop(node);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits from a test thread (never an event loop); a minute covers a slow cluster join. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out", e);
    }
  }
}
