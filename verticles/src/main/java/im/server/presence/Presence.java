package im.server.presence;

import im.server.message.ConvOwnership;
import im.shared.bus.Addresses;
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

  static final String CONNECT = "connect";
  static final String DISCONNECT = "disconnect";
  static final String STATUS = "status";

  private final Vertx vertx;
  private final String nodeId;
  private final ConvOwnership ownership;
  private final PresenceStore store;
  private final PresenceConfig config;

  public Presence(Vertx vertx, String nodeId, ConvOwnership ownership, PresenceStore store, PresenceConfig config) {
    this.vertx = vertx;
    this.nodeId = nodeId;
    this.ownership = ownership;
    this.store = store;
    this.config = config;
  }

  @Override
  public void connected(String uid) {
    poke(uid, CONNECT);
  }

  @Override
  public void disconnected(String uid) {
    poke(uid, DISCONNECT);
  }

  @Override
  public Future<Void> set(String uid, String status) {
    PresenceStatus chosen = PresenceStatus.settable(status);
    return store.choose(uid, chosen, config.statusTtlMs()).onSuccess(v -> poke(uid, STATUS));
  }

  /** {@code {status, lastSeen}} of each of {@code uids} not shown offline, exactly as last announced. */
  public Future<Map<String, JsonObject>> shown(List<String> uids) {
    return store.shown(uids);
  }

  private void poke(String uid, String kind) {
    String owner = ownership.ownerOf(uid);
    vertx.eventBus().send(Addresses.nodePresence(owner == null ? nodeId : owner),
        new JsonObject().put("uid", uid).put("kind", kind).put("at", System.currentTimeMillis()));
  }
}
