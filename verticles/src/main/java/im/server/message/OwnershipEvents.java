package im.server.message;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import im.shared.bus.Addresses;
import im.shared.bus.message.OwnershipChanged;
import im.shared.cluster.ClusterSetup;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * Publishes {@link Addresses#OWNERSHIP_CHANGED} on this node whenever conversations may have changed owner:
 * a member joined or left, a partition migration finished (ownership moves only then), or this node's
 * message instances were scaled ({@link #instancesChanged}). Consumers drop their cached conversation state.
 *
 * <p>Threading: Hazelcast calls the listeners on its own threads; publishing on the event bus is thread-safe.
 */
public final class OwnershipEvents {

  private static final Logger LOG = LoggerFactory.getLogger(OwnershipEvents.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IntSupplier localInstances;
  private UUID membershipListener;
  private UUID migrationListener;

  public OwnershipEvents(Vertx vertx, HazelcastInstance hazelcast, IntSupplier localInstances) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.localInstances = localInstances;
  }

  public void start() {
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        publish("member " + ClusterSetup.nodeIdOf(event.getMember()) + " joined");
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        publish("member " + ClusterSetup.nodeIdOf(event.getMember()) + " left");
      }
    });
    migrationListener = hazelcast.getPartitionService().addMigrationListener(new MigrationListener() {
      @Override
      public void migrationStarted(MigrationState state) {
      }

      @Override
      public void migrationFinished(MigrationState state) {
        publish("partition migration finished");
      }

      @Override
      public void replicaMigrationCompleted(ReplicaMigrationEvent event) {
      }

      @Override
      public void replicaMigrationFailed(ReplicaMigrationEvent event) {
      }
    });
  }

  /** This node's message instance count changed: conversations moved between local instances. */
  public void instancesChanged() {
    publish("message instances now " + localInstances.getAsInt());
  }

  public void stop() {
    if (hazelcast.getLifecycleService().isRunning()) {
      if (membershipListener != null) {
        hazelcast.getCluster().removeMembershipListener(membershipListener);
      }
      if (migrationListener != null) {
        hazelcast.getPartitionService().removeMigrationListener(migrationListener);
      }
    }
  }

  private void publish(String why) {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return;
    }
    List<String> members = hazelcast.getCluster().getMembers().stream().map(ClusterSetup::nodeIdOf).toList();
    LOG.info("conversation ownership may have moved: {}; members {}", why, members);
    vertx.eventBus().publish(Addresses.OWNERSHIP_CHANGED,
        new OwnershipChanged(members, localInstances.getAsInt(), why).toJson(), new DeliveryOptions().setLocalOnly(true));
  }
}
