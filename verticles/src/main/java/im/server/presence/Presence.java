package im.server.presence;

import im.shared.cluster.PartitionOwners;
import im.shared.bus.Addresses;
import im.shared.bus.presence.PresencePoke;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * A node's entry to presence. Every change of a user is passed, as a poke, to the one node that owns the user
 * (the Hazelcast partition owner of the uid, which also holds the user's routes): its {@link PresenceVerticle}
 * decides what friends are told, so changes from several nodes are coalesced in one place.
 *
 * <p>Thread-safe; pokes are fire-and-forget (presence is soft state).
 */
public final class Presence implements PresenceTracker {

  private final Vertx vertx;
  private final String nodeId;
  private final PartitionOwners ownership;
  private final PresenceStore store;

  public Presence(Vertx vertx, String nodeId, PartitionOwners ownership, PresenceStore store) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.ownership = ownership;
    this.store = store;
  }

  @Override
  public void connected(String uid) {
    send(PresencePoke.connected(uid));
  }

  @Override
  public void disconnected(String uid) {
    send(PresencePoke.disconnected(uid));
  }

  /**
   * Validates and passes the choice to the user's owner, which stores it (at most once per evaluation, so a burst
   * of changes costs one write) and announces it; succeeds once it is on its way.
   */
  @Override
  public Future<Void> set(String uid, String status) {
    PresenceStatus chosen = PresenceStatus.settable(status);
    send(PresencePoke.chose(uid, chosen.wireName()));
    return Future.succeededFuture();
  }

  /** {@code {status, lastSeen}} of each of {@code uids} not shown offline, exactly as last announced. */
  public Future<Map<String, JsonObject>> shown(List<String> uids) {
    return store.shown(uids);
  }

  /** Pokes from one node to one owner keep their order on the event bus: the last choice sent is the last applied. */
  private void send(PresencePoke poke) {
    String owner = ownership.ownerOf(poke.uid());
    vertx.eventBus().send(Addresses.nodePresence(owner == null ? nodeId : owner), poke.toJson());
  }
}
