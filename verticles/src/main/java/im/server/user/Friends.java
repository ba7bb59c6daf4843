package im.server.user;

import im.protocol.ImException;
import im.protocol.Op;
import im.shared.bus.user.Befriended;
import im.shared.bus.user.FriendList;
import im.shared.bus.user.FriendRequestSent;
import im.shared.bus.user.PendingRequests;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Friend requests and friendships ({@code docs/protocol.md §4} "Friends and blocks"): the store does the SQL; this
 * class tells the users concerned ({@code event friend_request}, {@code friend_accepted}), the send policy of
 * every node and the event stream ({@code friend.*}, docs/events.md). Events are best effort: a user who misses one
 * sees the state through the API.
 *
 * <p>A request that breaks a rule throws {@code bad_request} before any I/O, as {@link Accounts} does.
 * Thread-safe, non-blocking.
 */
public final class Friends {

  private static final Logger LOG = LoggerFactory.getLogger(Friends.class);
  /** Longer greetings are refused rather than cut. */
  static final int MAX_REQUEST_MESSAGE = 500;

  private final SocialStore store;
  private final Fanout fanout;
  private final SendPolicy policy;
  private final StatusLookup statuses;
  private final EventPublisher events;

  public Friends(SocialStore store, Fanout fanout, SendPolicy policy, StatusLookup statuses, EventPublisher events) {
    this.store = store;
    this.fanout = fanout;
    this.policy = policy;
    this.statuses = statuses;
    this.events = events;
  }

  public Future<FriendRequestSent> request(String from, String to, String message) {
    if (to.isEmpty()) {
      throw ImException.badRequest("to must be a uid");
    }
    if (message != null && message.length() > MAX_REQUEST_MESSAGE) {
      throw ImException.badRequest("message is longer than " + MAX_REQUEST_MESSAGE + " characters");
    }
    long now = System.currentTimeMillis();
    return store.request(from, to, message, now).map(outcome -> {
      if (outcome instanceof Pending pending && pending.created()) {
        events.publish(new DomainEvent.FriendRequested(pending.requestId(), from, to, message, now));
        tell(to, "friend_request", new JsonObject()
            .put("requestId", pending.requestId()).put("from", from).put("message", message).put("createdAt", now));
      } else if (outcome instanceof AutoAccepted accepted) {
        policy.changed(from, to);
        events.publish(new DomainEvent.FriendAccepted(outcome.requestId(), from, to, accepted.conv(), now));
        tell(to, "friend_accepted", new JsonObject().put("uid", from).put("conv", accepted.conv()));
        return new FriendRequestSent(outcome.requestId(), accepted.conv());
      }
      return new FriendRequestSent(outcome.requestId(), null);
    });
  }

  public Future<Befriended> accept(String uid, String requestId) {
    long now = System.currentTimeMillis();
    return store.accept(uid, requestId, now).map(accepted -> {
      policy.changed(uid, accepted.requester());
      events.publish(new DomainEvent.FriendAccepted(requestId, uid, accepted.requester(), accepted.conv(), now));
      tell(accepted.requester(), "friend_accepted", new JsonObject().put("uid", uid).put("conv", accepted.conv()));
      return new Befriended(accepted.conv());
    });
  }

  public Future<Void> reject(String uid, String requestId) {
    return store.reject(uid, requestId).map(requester -> {
      events.publish(new DomainEvent.FriendRejected(requestId, uid, requester, System.currentTimeMillis()));
      return null;
    });
  }

  public Future<PendingRequests> incoming(String uid) {
    return store.incoming(uid).map(Friends::pending);
  }

  /** Each friend with the status and lastSeen last announced to friends, so the list agrees with the frames. */
  public Future<FriendList> list(String uid) {
    return store.friends(uid).compose(friends ->
        statuses.shown(friends.stream().map(SocialStore.Friend::uid).toList()).map(shown -> withStatus(friends, shown)));
  }

  public Future<Void> unfriend(String uid, String friend) {
    return store.unfriend(uid, friend).onSuccess(v -> {
      policy.changed(uid, friend);
      events.publish(new DomainEvent.FriendRemoved(uid, friend, System.currentTimeMillis()));
    });
  }

  private static PendingRequests pending(JsonArray rows) {
    List<PendingRequests.Request> requests = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      requests.add(PendingRequests.Request.fromJson(rows.getJsonObject(i)));
    }
    return new PendingRequests(requests);
  }

  private static FriendList withStatus(List<SocialStore.Friend> friends, Map<String, JsonObject> shown) {
    List<FriendList.Friend> list = new ArrayList<>(friends.size());
    for (SocialStore.Friend friend : friends) {
      JsonObject state = shown.get(friend.uid());
      list.add(new FriendList.Friend(friend.uid(), friend.username(), friend.displayName(),
          state == null ? "offline" : state.getString("status"),
          state == null ? friend.lastSeen() : state.getLong("lastSeen")));
    }
    return new FriendList(list);
  }

  private void tell(String uid, String kind, JsonObject data) {
    fanout.deliver(new Delivery(List.of(uid), Op.EVENT, new JsonObject().put("kind", kind).put("data", data), null))
        .onFailure(e -> LOG.warn("event {} to {} not pushed: {}", kind, uid, e.getMessage()));
  }
}
