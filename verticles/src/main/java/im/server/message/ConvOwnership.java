package im.server.message;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.Partition;
import im.shared.cluster.ClusterSetup;

/**
 * Which node owns a conversation: the Hazelcast partition owner of the key {@code conv} (ARCHITECTURE,
 * owner routing). A local read of the partition table; no network call.
 */
public final class ConvOwnership {

  private final HazelcastInstance hazelcast;

  public ConvOwnership(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** @return the owner's node id, or null while the partition has no owner (migration, shutdown) */
  public String ownerOf(String conv) {
    Partition partition = hazelcast.getPartitionService().getPartition(conv);
    Member owner = partition.getOwner();
    return owner == null ? null : ClusterSetup.nodeIdOf(owner);
  }
}
