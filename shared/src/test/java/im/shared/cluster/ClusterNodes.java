package im.shared.cluster;

import im.shared.config.ImConfig;
import im.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Clustered Vert.x nodes on 127.0.0.1 for tests: a fresh cluster name per instance, so runs never meet.
 * Each member binds port 0 and the others join the first one at the port it actually bound. Test thread only.
 */
public final class ClusterNodes implements AutoCloseable {

  public record Node(Vertx vertx, HazelcastClusterManager clusterManager, int port) {}

  private final String name = "im-test-" + UUID.randomUUID();
  private final List<Node> nodes = new ArrayList<>();

  public String name() {
    return name;
  }

  /** Starts a node that joins the first node started (or forms the cluster when it is the first). */
  public Node start(String nodeId) {
    List<String> members = nodes.isEmpty() ? List.of() : List.of("127.0.0.1:" + nodes.get(0).port());
    HazelcastClusterManager manager =
        ClusterSetup.clusterManager(new ImConfig.Cluster(name, "127.0.0.1", 0, members), nodeId);
    Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
    int port = manager.getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
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

  /** A minute covers a slow cluster join. */
  public static <T> T await(Future<T> future) {
    return Await.result(future, Duration.ofSeconds(60));
  }
}
