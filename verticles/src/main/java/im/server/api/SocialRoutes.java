package im.server.api;

import im.protocol.ImException;
import im.server.presence.Presence;
import im.server.social.Friends;
import im.shared.store.SocialStore.Friend;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Map;

/**
 * Friends and blocks (PROTOCOL §4 "Friends and blocks"), mounted by {@link ApiRouter} behind its bearer check and
 * error mapping. Handlers run on the request's event loop.
 */
public final class SocialRoutes {

  /** Longer greetings are refused rather than cut. */
  static final int MAX_REQUEST_MESSAGE = 500;

  private final Friends friends;
  private final Presence presence;

  public SocialRoutes(Friends friends, Presence presence) {
    this.friends = friends;
    this.presence = presence;
  }

  void mount(Router root, BodyHandler json) {
    String api = ApiRouter.API;
    root.post(api + "/friends/requests").handler(json).handler(this::request);
    root.get(api + "/friends/requests").handler(this::incoming);
    root.post(api + "/friends/requests/:requestId/accept").handler(this::accept);
    root.post(api + "/friends/requests/:requestId/reject").handler(this::reject);
    root.get(api + "/friends").handler(this::list);
    root.delete(api + "/friends/:uid").handler(this::unfriend);
    root.get(api + "/blocks").handler(this::blocks);
    root.put(api + "/blocks/:uid").handler(this::block);
    root.delete(api + "/blocks/:uid").handler(this::unblock);
  }

  private void request(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String to = RequestJson.string(body, "to", true);
    String message = RequestJson.string(body, "message", false);
    if (to.isEmpty()) {
      throw ImException.badRequest("to must be a uid");
    }
    if (message != null && message.length() > MAX_REQUEST_MESSAGE) {
      throw ImException.badRequest("message is longer than " + MAX_REQUEST_MESSAGE + " characters");
    }
    friends.request(BearerAuth.uid(ctx), to, message)
        .onSuccess(reply -> Replies.json(ctx, 201, reply))
        .onFailure(ctx::fail);
  }

  private void incoming(RoutingContext ctx) {
    friends.incoming(BearerAuth.uid(ctx))
        .onSuccess(requests -> Replies.ok(ctx, new JsonObject().put("requests", requests)))
        .onFailure(ctx::fail);
  }

  private void accept(RoutingContext ctx) {
    friends.accept(BearerAuth.uid(ctx), ctx.pathParam("requestId"))
        .onSuccess(reply -> Replies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private void reject(RoutingContext ctx) {
    friends.reject(BearerAuth.uid(ctx), ctx.pathParam("requestId"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  /** Each friend with the status and lastSeen last announced to friends, so the list agrees with the frames. */
  private void list(RoutingContext ctx) {
    friends.friends(BearerAuth.uid(ctx))
        .compose(list -> presence.shown(list.stream().map(Friend::uid).toList()).map(shown -> toJson(list, shown)))
        .onSuccess(reply -> Replies.ok(ctx, reply))
        .onFailure(ctx::fail);
  }

  private static JsonObject toJson(List<Friend> list, Map<String, JsonObject> shown) {
    JsonArray array = new JsonArray();
    for (Friend friend : list) {
      JsonObject state = shown.get(friend.uid());
      array.add(new JsonObject()
          .put("uid", friend.uid())
          .put("username", friend.username())
          .put("displayName", friend.displayName())
          .put("status", state == null ? "offline" : state.getString("status"))
          .put("lastSeen", state == null ? friend.lastSeen() : state.getLong("lastSeen")));
    }
    return new JsonObject().put("friends", array);
  }

  private void unfriend(RoutingContext ctx) {
    friends.unfriend(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void blocks(RoutingContext ctx) {
    friends.blocked(BearerAuth.uid(ctx))
        .onSuccess(uids -> Replies.ok(ctx, new JsonObject().put("uids", uids)))
        .onFailure(ctx::fail);
  }

  private void block(RoutingContext ctx) {
    friends.block(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void unblock(RoutingContext ctx) {
    friends.unblock(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
