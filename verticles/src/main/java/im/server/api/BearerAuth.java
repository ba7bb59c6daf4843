package im.server.api;

import im.protocol.ImException;
import im.shared.auth.TokenClaims;
import im.shared.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Requires {@code Authorization: Bearer <token>} (or, where allowed, {@code ?token=} for {@code <img>} tags) and
 * puts the caller's uid into the routing context. Runs on the request's event loop.
 */
final class BearerAuth implements Handler<RoutingContext> {

  private static final String UID = "im.uid";
  private static final String CLAIMS = "im.claims";
  private static final String PREFIX = "Bearer ";

  private final TokenVerifier tokens;
  private final boolean queryTokenAllowed;

  BearerAuth(TokenVerifier tokens, boolean queryTokenAllowed) {
    this.tokens = tokens;
    this.queryTokenAllowed = queryTokenAllowed;
  }

  /** The uid of an authenticated request. */
  static String uid(RoutingContext ctx) {
    return ctx.get(UID);
  }

  /** The checked token of an authenticated request. */
  static TokenClaims claims(RoutingContext ctx) {
    return ctx.get(CLAIMS);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String token = token(request);
    if (token == null) {
      ctx.fail(ImException.unauthorized("Authorization: Bearer <token> required"));
      return;
    }
    Future<TokenClaims> verified = tokens.claims(token);
    if (verified.isComplete()) {
      proceed(ctx, verified);
      return;
    }
    // The body handler further down must see every chunk, so nothing may be read while we wait.
    request.pause();
    verified.onComplete(done -> {
      request.resume();
      proceed(ctx, verified);
    });
  }

  private static void proceed(RoutingContext ctx, Future<TokenClaims> verified) {
    if (verified.succeeded()) {
      ctx.put(CLAIMS, verified.result());
      ctx.put(UID, verified.result().uid());
      ctx.next();
    } else {
      ctx.fail(verified.cause());
    }
  }

  private String token(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      return header.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) && header.length() > PREFIX.length()
          ? header.substring(PREFIX.length()).trim()
          : null;
    }
    return queryTokenAllowed ? request.getParam("token") : null;
  }
}
