package im.server.api;

import im.protocol.ImException;
import im.server.user.UserClient;
import im.shared.auth.JwtTokens;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Register, login and profiles ({@code docs/protocol.md §4} accounts) over the user service: these handlers read
 * the request, ask {@link UserClient} and write its answer. Tokens are issued here, next to {@link BearerAuth}
 * that verifies them: the user service checks passwords but knows nothing of tokens. Handlers run on the
 * request's event loop.
 */
final class AccountRoutes {

  private final JwtTokens tokens;
  private final UserClient users;

  AccountRoutes(JwtTokens tokens, UserClient users) {
    this.tokens = tokens;
    this.users = users;
  }

  void register(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    String displayName = RequestJson.string(body, "displayName", false);
    users.register(username, password, displayName)
        .onSuccess(user -> Replies.json(ctx, 201, new JsonObject().put("uid", user.uid()).put("username", user.username())))
        .onFailure(ctx::fail);
  }

  void login(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    users.login(username, password)
        .onSuccess(user -> {
          JwtTokens.Issued issued = tokens.issue(user.uid());
          Replies.ok(ctx, new JsonObject().put("token", issued.token()).put("uid", user.uid()).put("expiresAt", issued.expiresAt()));
        })
        .onFailure(ctx::fail);
  }

  void me(RoutingContext ctx) {
    profile(ctx, BearerAuth.uid(ctx));
  }

  void user(RoutingContext ctx) {
    profile(ctx, ctx.pathParam("uid"));
  }

  void byUsername(RoutingContext ctx) {
    String username = ctx.request().getParam("username");
    if (username == null || username.isEmpty()) {
      throw ImException.badRequest("username query parameter required");
    }
    users.profileByUsername(username).onSuccess(user -> Replies.ok(ctx, user.toJson())).onFailure(ctx::fail);
  }

  void updateMe(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String displayName = RequestJson.string(body, "displayName", false);
    boolean setAvatar = body.containsKey("avatarUrl");
    String avatarUrl = RequestJson.string(body, "avatarUrl", false);
    users.updateProfile(BearerAuth.uid(ctx), displayName, setAvatar, avatarUrl)
        .onSuccess(user -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void profile(RoutingContext ctx, String uid) {
    users.profile(uid).onSuccess(user -> Replies.ok(ctx, user.toJson())).onFailure(ctx::fail);
  }
}
