package im.server.api;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.limits.RetryLater;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from failures to HTTP error replies: {@code status + {"error":{"code","message"}}}, the status
 * from {@link ErrorCode#httpStatus()}. Anything that is not an {@link ImException} is a 500 {@code internal},
 * logged here once; a client that closed its connection gets nothing and is not an error. Runs on the request's
 * event loop.
 */
public final class HttpErrors {

  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  static final int UNSUPPORTED_MEDIA_TYPE = 415;

  private HttpErrors() {}

  /** Failure handler for API routes. */
  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof HttpClosedException || ctx.response().closed()) {
      // The client went away (aborted mid-body, timed out): nobody to answer, and nothing wrong with the server.
      LOG.debug("{} {}: client closed the connection", ctx.request().method(), ctx.request().path());
      return;
    }
    if (failure instanceof ImException im) {
      // 415 is a bad_request whose status says the media type is at fault (docs/protocol.md §4).
      reply(ctx, ctx.statusCode() == UNSUPPORTED_MEDIA_TYPE ? UNSUPPORTED_MEDIA_TYPE : im.code().httpStatus(), im);
    } else if (failure instanceof DecodeException) {
      send(ctx, ImException.badRequest("body is not valid JSON"));
    } else if (failure == null || failure instanceof io.vertx.ext.web.handler.HttpException) {
      sendStatus(ctx, ctx.statusCode());
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      send(ctx, new ImException(ErrorCode.INTERNAL, "internal error"));
    }
  }

  /** Handler of routes nobody serves. */
  public static void notFound(RoutingContext ctx) {
    send(ctx, ImException.notFound("no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
  }

  public static void send(RoutingContext ctx, ImException error) {
    reply(ctx, error.code().httpStatus(), error);
  }

  /** A failure raised by vertx-web itself (e.g. 413 from the body handler) in our shape. */
  private static void sendStatus(RoutingContext ctx, int status) {
    if (status == 413) {
      send(ctx, new ImException(ErrorCode.TOO_LARGE, "request body too large"));
    } else if (status == 404) {
      notFound(ctx);
    } else if (status == 401) {
      send(ctx, ImException.unauthorized("unauthorized"));
    } else if (status >= 400 && status < 500) {
      reply(ctx, status, ImException.badRequest("bad request"));
    } else {
      LOG.error("{} {} failed with status {}", ctx.request().method(), ctx.request().path(), status);
      send(ctx, new ImException(ErrorCode.INTERNAL, "internal error"));
    }
  }

  private static void reply(RoutingContext ctx, int status, ImException error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // Too late for an error body: cut the response so the client sees it failed.
      response.reset();
      return;
    }
    if (error instanceof RetryLater later) {
      response.putHeader("Retry-After", String.valueOf(later.retryAfterSeconds()));
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error.toJson()).toBuffer());
  }
}
