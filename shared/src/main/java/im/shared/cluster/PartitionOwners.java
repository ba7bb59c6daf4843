package im.shared.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which node owns a key: the Hazelcast partition owner of it. Conversations are owned this way by their {@code conv}
 * (docs/architecture.md, Ownership and routing), and users' presence by their uid. A local read of the partition
 * table; no network call.
 *
 * <p>Thread-safe.
 */
public final class PartitionOwners {

  private final HazelcastInstance hazelcast;

  public PartitionOwners(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** @return the owner's node id, or null while the partition has no owner (migration, shutdown) */
  public String ownerOf(String key) {
    Partition partition = hazelcast.getPartitionService().getPartition(key);
    Member owner = partition.getOwner();
    return owner == null ? null : ClusterSetup.nodeIdOf(owner);
  }

  /** The node ids of the cluster's members as this node sees them now; a local read. */
  public Set<String> members() {
    return hazelcast.getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf).collect(Collectors.toSet());
  }
}
