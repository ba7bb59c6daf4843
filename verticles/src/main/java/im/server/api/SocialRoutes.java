package im.server.api;

import im.server.user.UserClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Handler;

/**
 * Friends and blocks ({@code docs/protocol.md §4} "Friends and blocks") over the user service, mounted by
 * {@link ApiRouter} behind its bearer check and error mapping: these handlers read the request, ask
 * {@link UserClient} and write its answer. Handlers run on the request's event loop.
 */
final class SocialRoutes {

  private final UserClient users;

  SocialRoutes(UserClient users) {
    this.users = users;
  }

  void mount(Router root, Handler<RoutingContext> json) {
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
    users.requestFriend(BearerAuth.uid(ctx), to, message)
        .onSuccess(sent -> Replies.json(ctx, 201, sent.toJson()))
        .onFailure(ctx::fail);
  }

  private void incoming(RoutingContext ctx) {
    users.friendRequests(BearerAuth.uid(ctx))
        .onSuccess(pending -> Replies.ok(ctx, pending.toJson()))
        .onFailure(ctx::fail);
  }

  private void accept(RoutingContext ctx) {
    users.acceptFriend(BearerAuth.uid(ctx), ctx.pathParam("requestId"))
        .onSuccess(befriended -> Replies.ok(ctx, befriended.toJson()))
        .onFailure(ctx::fail);
  }

  private void reject(RoutingContext ctx) {
    users.rejectFriend(BearerAuth.uid(ctx), ctx.pathParam("requestId"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    users.friends(BearerAuth.uid(ctx))
        .onSuccess(friends -> Replies.ok(ctx, friends.toJson()))
        .onFailure(ctx::fail);
  }

  private void unfriend(RoutingContext ctx) {
    users.unfriend(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void blocks(RoutingContext ctx) {
    users.blocks(BearerAuth.uid(ctx))
        .onSuccess(blocked -> Replies.ok(ctx, blocked.toJson()))
        .onFailure(ctx::fail);
  }

  private void block(RoutingContext ctx) {
    users.block(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void unblock(RoutingContext ctx) {
    users.unblock(BearerAuth.uid(ctx), ctx.pathParam("uid"))
        .onSuccess(v -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }
}
