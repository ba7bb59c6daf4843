package im.server.api;

import im.protocol.ImException;
import im.protocol.Validation;
import im.shared.auth.JwtTokens;
import im.shared.auth.PasswordHasher;
import im.shared.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/** Register, login and profiles (PROTOCOL §4 accounts). Handlers run on the request's event loop. */
final class AccountRoutes {

  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 128;
  private static final int MAX_DISPLAY_NAME = 64;
  private static final int MAX_AVATAR_URL = 2048;

  private final JwtTokens tokens;
  private final PasswordHasher hasher;
  private final UserStore users;

  AccountRoutes(JwtTokens tokens, PasswordHasher hasher, UserStore users) {
    this.tokens = tokens;
    this.hasher = hasher;
    this.users = users;
  }

  void register(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    String displayName = RequestJson.string(body, "displayName", false);
    Validation.username(username);
    int length = password.codePointCount(0, password.length());
    if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
      throw ImException.badRequest("password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
    }
    String name = displayName == null ? username : displayName(displayName);
    hasher.hash(password)
        .compose(hash -> users.create(username, hash, name))
        .onSuccess(user -> Replies.json(ctx, 201, new JsonObject().put("uid", user.uid()).put("username", user.username())))
        .onFailure(ctx::fail);
  }

  void login(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    users.findByUsername(username)
        .compose(user -> user == null
            // Spend the same time as a real check, so response times do not tell which usernames exist.
            ? hasher.hash(password).map(ignored -> (UserStore.User) null)
            : hasher.verify(password, user.passwordHash()).map(matches -> matches ? user : null))
        .compose(user -> user == null
            ? Future.failedFuture(ImException.unauthorized("wrong username or password"))
            : Future.succeededFuture(user))
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
    users.findByUsername(username).onSuccess(user -> replyProfile(ctx, user)).onFailure(ctx::fail);
  }

  void updateMe(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String displayName = RequestJson.string(body, "displayName", false);
    boolean setAvatar = body.containsKey("avatarUrl");
    String avatarUrl = RequestJson.string(body, "avatarUrl", false);
    if (avatarUrl != null && (avatarUrl.isBlank() || avatarUrl.length() > MAX_AVATAR_URL)) {
      throw ImException.badRequest("avatarUrl must be 1-" + MAX_AVATAR_URL + " characters, or null to remove it");
    }
    users.updateProfile(BearerAuth.uid(ctx), displayName == null ? null : displayName(displayName), setAvatar, avatarUrl)
        .onSuccess(user -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void profile(RoutingContext ctx, String uid) {
    users.findByUid(uid).onSuccess(user -> replyProfile(ctx, user)).onFailure(ctx::fail);
  }

  private static void replyProfile(RoutingContext ctx, UserStore.User user) {
    if (user == null) {
      ctx.fail(ImException.notFound("no such user"));
    } else {
      Replies.ok(ctx, user.toJson());
    }
  }

  private static String displayName(String raw) {
    String name = raw.strip();
    int length = name.codePointCount(0, name.length());
    if (length < 1 || length > MAX_DISPLAY_NAME) {
      throw ImException.badRequest("displayName must be 1-" + MAX_DISPLAY_NAME + " characters");
    }
    return name;
  }
}
