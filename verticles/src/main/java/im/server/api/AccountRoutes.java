package im.server.api;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.server.session.Sessions;
import im.server.user.UserClient;
import im.shared.auth.JwtTokens;
import im.shared.auth.TokenRevoker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * Register, login, logout, account closing and profiles ({@code docs/protocol.md §4} accounts) over the user
 * service: these handlers read the request, ask {@link UserClient} and write its answer. Tokens are issued and
 * revoked here, next to {@link BearerAuth} that verifies them: the user service checks passwords but knows nothing
 * of tokens. Login and registration pass the {@link AccountLimits} first. Handlers run on the request's event loop.
 */
final class AccountRoutes {

  private final JwtTokens tokens;
  private final TokenRevoker revoker;
  private final AccountLimits limits;
  private final UserClient users;

  AccountRoutes(JwtTokens tokens, TokenRevoker revoker, AccountLimits limits, UserClient users) {
    this.tokens = tokens;
    this.revoker = revoker;
    this.limits = limits;
    this.users = users;
  }

  void register(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    String displayName = RequestJson.string(body, "displayName", false);
    limits.register(address(ctx))
        .compose(allowed -> users.register(username, password, displayName))
        .onSuccess(user -> Replies.json(ctx, 201, new JsonObject().put("uid", user.uid()).put("username", user.username())))
        .onFailure(ctx::fail);
  }

  void login(RoutingContext ctx) {
    JsonObject body = RequestJson.body(ctx);
    String username = RequestJson.string(body, "username", true);
    String password = RequestJson.string(body, "password", true);
    String address = address(ctx);
    limits.beforeLogin(username, address)
        .compose(allowed -> countingWrongPassword(users.login(username, password),
            () -> limits.failedLogin(username, address)))
        .onSuccess(signedIn -> {
          String uid = signedIn.profile().uid();
          JwtTokens.Issued issued = tokens.issue(uid, signedIn.tokenGeneration());
          Replies.ok(ctx, new JsonObject().put("token", issued.token()).put("uid", uid).put("expiresAt", issued.expiresAt()));
        })
        .onFailure(ctx::fail);
  }

  /** This token is refused from now on, on every node; connections it opened are kicked {@code logout}. */
  void logout(RoutingContext ctx) {
    revoker.logout(BearerAuth.claims(ctx)).onSuccess(done -> Replies.noContent(ctx)).onFailure(ctx::fail);
  }

  /** Every token of the user issued until now is refused; their connections are kicked {@code logout}. */
  void logoutAll(RoutingContext ctx) {
    revoker.logoutAll(BearerAuth.uid(ctx)).onSuccess(done -> Replies.noContent(ctx)).onFailure(ctx::fail);
  }

  /** {@code DELETE /users/me {password}}: the account is closed, its tokens refused, its connections kicked {@code closed}. */
  void close(RoutingContext ctx) {
    String password = RequestJson.string(RequestJson.body(ctx), "password", true);
    String uid = BearerAuth.uid(ctx);
    String address = address(ctx);
    limits.beforeClose(uid, address)
        .compose(allowed -> countingWrongPassword(users.close(uid, password), () -> limits.failedClose(uid, address)))
        .compose(closed -> revoker.closed(uid, closed.tokenGeneration()))
        .onSuccess(done -> Replies.noContent(ctx))
        .onFailure(ctx::fail);
  }

  /** A wrong password ({@code unauthorized}) is counted against the limits before it is answered; the failure stays. */
  private static <T> Future<T> countingWrongPassword(Future<T> attempt, Supplier<Future<?>> countFailure) {
    return attempt.recover(failure -> failure instanceof ImException im && im.code() == ErrorCode.UNAUTHORIZED
        ? countFailure.get().transform(counted -> Future.failedFuture(failure))
        : Future.failedFuture(failure));
  }

  /** The peer's address: proxies' forwarding headers are not trusted, since any client can set them. */
  private static String address(RoutingContext ctx) {
    return Sessions.address(ctx.request().remoteAddress());
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
