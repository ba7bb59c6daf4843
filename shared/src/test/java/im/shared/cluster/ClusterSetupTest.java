package im.shared.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import im.shared.config.ImConfig;
import io.vertx.core.eventbus.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static im.shared.cluster.ClusterNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSetupTest {

  private final ClusterNodes cluster = new ClusterNodes();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void configHasExactPortTcpIpMembersAndNoMulticast() {
    ImConfig.Cluster settings = new ImConfig.Cluster("c1", "127.0.0.1", 5811, List.of("10.0.0.1:5701", "10.0.0.2:5702"));
    Config config = ClusterSetup.config(settings, "node-a");

    assertEquals("c1", config.getClusterName());
    assertEquals(5811, config.getNetworkConfig().getPort());
    assertFalse(config.getNetworkConfig().isPortAutoIncrement());
    assertNull(config.getNetworkConfig().getPublicAddress());
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5702"), join.getTcpIpConfig().getMembers());
    assertEquals("0", config.getProperty("hazelcast.wait.seconds.before.join"));
    assertEquals("slf4j", config.getProperty("hazelcast.logging.type"));
    assertEquals("false", config.getProperty("hazelcast.shutdownhook.enabled"));
    assertEquals("node-a", config.getMemberAttributeConfig().getAttribute(ClusterSetup.IM_NODE_ID_ATTRIBUTE));
  }

  @Test
  void anyAddressBindsEverywhere() {
    Config config = ClusterSetup.config(new ImConfig.Cluster("c2", "0.0.0.0", 5701, List.of()), "");
    assertFalse(config.getNetworkConfig().getInterfaces().isEnabled());
    assertNull(config.getMemberAttributeConfig().getAttribute(ClusterSetup.IM_NODE_ID_ATTRIBUTE));
  }

  @Test
  void twoNodesJoinAndShareTheEventBus() {
    ClusterNodes.Node a = cluster.start("");
    ClusterNodes.Node b = cluster.start("node-b");

    assertEquals(2, a.clusterManager().getNodes().size());
    assertEquals(Set.copyOf(a.clusterManager().getNodes()), Set.copyOf(b.clusterManager().getNodes()));
    // Without IM_NODE_ID a member goes by its Vert.x node id; with one, by that id.
    assertEquals(a.clusterManager().getNodeId(), ClusterSetup.localNodeId(a.clusterManager()));
    assertEquals("node-b", ClusterSetup.localNodeId(b.clusterManager()));
    assertEquals(b.port(), ClusterSetup.hazelcast(b.clusterManager()).getCluster().getLocalMember().getAddress().getPort());

    String address = "test.echo." + cluster.name();
    await(a.vertx().eventBus().<String>consumer(address, (Message<String> m) -> m.reply("echo:" + m.body())).completion());
    Message<String> reply = await(b.vertx().eventBus().<String>request(address, "hi"));
    assertEquals("echo:hi", reply.body());
  }
}
