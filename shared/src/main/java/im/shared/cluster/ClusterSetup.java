package im.shared.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import im.shared.config.ConfigException;
import im.shared.config.ImConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Builds the Hazelcast configuration of one node from {@link ImConfig.Cluster} (docs/protocol.md §1:
 * {@code IM_CLUSTER_HOST}, {@code IM_CLUSTER_PORT}, {@code IM_CLUSTER_MEMBERS}).
 *
 * <p>The static settings are also in {@code conf/cluster.xml}, but every one is set again here so that a
 * classpath without that file (the {@code shared} tests, an embedder) still gets TCP-IP join and never
 * vertx-hazelcast's multicast default.
 *
 * <p>Kubernetes discovery seam: when it is needed, a {@code cluster.kubernetes} setting would make
 * {@link #join} enable {@code join.getKubernetesConfig()} (service name, namespace) instead of TCP-IP;
 * nothing else here changes.
 *
 * <p>Threading: {@link #config} resolves the bind host (possibly a DNS lookup), so call it from
 * {@code main} or a test thread, never from an event loop.
 */
public final class ClusterSetup {

  /** Set by vertx-hazelcast on every member: the Vert.x node id ({@code clusterManager.getNodeId()}). */
  public static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  /** Our node id (docs/protocol.md §1 {@code IM_NODE_ID}) when one was configured; it wins over the Vert.x one. */
  public static final String IM_NODE_ID_ATTRIBUTE = "im.nodeId";

  private ClusterSetup() {}

  /** A cluster manager whose members are known by their Vert.x node id. */
  public static HazelcastClusterManager clusterManager(ImConfig.Cluster cluster) {
    return new HazelcastClusterManager(config(cluster, ""));
  }

  /**
   * A cluster manager whose member carries {@code nodeId} (when not empty) as attribute
   * {@value #IM_NODE_ID_ATTRIBUTE}, so other members ({@link #nodeIdOf}) name it the way it names itself.
   */
  public static HazelcastClusterManager clusterManager(ImConfig.Cluster cluster, String nodeId) {
    return new HazelcastClusterManager(config(cluster, nodeId));
  }

  public static Config config(ImConfig.Cluster cluster, String nodeId) {
    Config config = ConfigUtil.loadConfig();
    if (config == null) {
      config = new Config();
    }
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    bind(config, cluster);
    join(config.getNetworkConfig().getJoin(), cluster);
    if (nodeId != null && !nodeId.isEmpty()) {
      config.getMemberAttributeConfig().setAttribute(IM_NODE_ID_ATTRIBUTE, nodeId);
    }
    return config;
  }

  /**
   * The exact port, no auto-increment: two processes must not silently swap ports. No public address
   * is set because vertx-hazelcast would hand it verbatim ("host:port") to the event bus as its public
   * host; binding to the host's interface makes the member's advertised address that host anyway.
   */
  private static void bind(Config config, ImConfig.Cluster cluster) {
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    InetAddress address = resolve(cluster.host());
    network.getInterfaces().clear();
    if (address.isAnyLocalAddress()) {
      network.getInterfaces().setEnabled(false);
      return;
    }
    network.getInterfaces().setEnabled(true).addInterface(address.getHostAddress());
    config.setProperty("hazelcast.socket.bind.any", "false");
  }

  private static void join(JoinConfig join, ImConfig.Cluster cluster) {
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).clear();
    // One entry per member: Hazelcast's "host:5701-5705" range form fails to parse.
    cluster.members().forEach(member -> join.getTcpIpConfig().addMember(member));
  }

  private static InetAddress resolve(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException("IM_CLUSTER_HOST (cluster.host): cannot resolve '" + host + "'");
    }
  }

  public static HazelcastInstance hazelcast(HazelcastClusterManager clusterManager) {
    return clusterManager.getHazelcastInstance();
  }

  /** The node id a member goes by: its configured {@code IM_NODE_ID}, else its Vert.x node id; null if neither. */
  public static String nodeIdOf(Member member) {
    String nodeId = member.getAttribute(IM_NODE_ID_ATTRIBUTE);
    return nodeId != null ? nodeId : member.getAttribute(VERTX_NODE_ID_ATTRIBUTE);
  }

  /** This node's id as other members see it ({@link #nodeIdOf}); valid once Vert.x is clustered. */
  public static String localNodeId(HazelcastClusterManager clusterManager) {
    return nodeIdOf(clusterManager.getHazelcastInstance().getCluster().getLocalMember());
  }
}
