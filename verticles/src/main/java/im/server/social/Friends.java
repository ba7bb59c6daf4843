package im.server.social;

import im.protocol.Op;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.store.SocialStore;
import im.shared.store.SocialStore.AutoAccepted;
import im.shared.store.SocialStore.Pending;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Friend requests, friendships and blocks as the HTTP API offers them: the store does the SQL; this class tells
 * the users concerned ({@code event friend_request}, {@code friend_accepted}) and the send policy of every node.
 * Events are best effort: a user who misses one sees the state through the API. Thread-safe, non-blocking.
 */
public final class Friends {

  private static final Logger LOG = LoggerFactory.getLogger(Friends.class);

  private final SocialStore store;
  private final Fanout fanout;
  private final SendPolicy policy;

  public Friends(SocialStore store, Fanout fanout, SendPolicy policy) {
    this.store = store;
    this.fanout = fanout;
    this.policy = policy;
  }

  /** @return {@code {requestId}}, plus {@code conv} when the target had asked first and both are now friends */
  public Future<JsonObject> request(String from, String to, String message) {
    long now = System.currentTimeMillis();
    return store.request(from, to, message, now).map(outcome -> {
      JsonObject reply = new JsonObject().put("requestId", outcome.requestId());
      if (outcome instanceof Pending pending && pending.created()) {
        tell(to, "friend_request", new JsonObject()
            .put("requestId", pending.requestId()).put("from", from).put("message", message).put("createdAt", now));
      } else if (outcome instanceof AutoAccepted accepted) {
        policy.changed(from, to);
        tell(to, "friend_accepted", new JsonObject().put("uid", from).put("conv", accepted.conv()));
        reply.put("conv", accepted.conv());
      }
      return reply;
    });
  }

  /** @return {@code {conv}}: the one-to-one conversation of the two new friends */
  public Future<JsonObject> accept(String uid, String requestId) {
    return store.accept(uid, requestId, System.currentTimeMillis()).map(accepted -> {
      policy.changed(uid, accepted.requester());
      tell(accepted.requester(), "friend_accepted", new JsonObject().put("uid", uid).put("conv", accepted.conv()));
      return new JsonObject().put("conv", accepted.conv());
    });
  }

  public Future<Void> reject(String uid, String requestId) {
    return store.reject(uid, requestId);
  }

  public Future<JsonArray> incoming(String uid) {
    return store.incoming(uid);
  }

  public Future<List<SocialStore.Friend>> friends(String uid) {
    return store.friends(uid);
  }

  public Future<Void> unfriend(String uid, String friend) {
    return store.unfriend(uid, friend).onSuccess(v -> policy.changed(uid, friend));
  }

  public Future<Void> block(String uid, String other) {
    return store.block(uid, other, System.currentTimeMillis()).onSuccess(v -> policy.changed(uid, other));
  }

  public Future<Void> unblock(String uid, String other) {
    return store.unblock(uid, other).onSuccess(v -> policy.changed(uid, other));
  }

  public Future<JsonArray> blocked(String uid) {
    return store.blocked(uid);
  }

  private void tell(String uid, String kind, JsonObject data) {
    fanout.deliver(new Delivery(List.of(uid), Op.EVENT, new JsonObject().put("kind", kind).put("data", data), null))
        .onFailure(e -> LOG.warn("event {} to {} not pushed: {}", kind, uid, e.getMessage()));
  }
}
