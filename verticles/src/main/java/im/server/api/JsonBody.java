package im.server.api;

import im.protocol.ImException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Reads the body of a JSON endpoint: a body whose media type is not {@code application/json} (parameters such as
 * {@code charset} allowed) is refused with 415 before it is read; a request without a body needs no
 * {@code Content-Type} (docs/protocol.md §4, Accounts). Then the body handler reads at most {@code limit} bytes.
 * Stateless; runs on the request's event loop.
 */
public final class JsonBody implements Handler<RoutingContext> {

  private static final String JSON = "application/json";

  private final BodyHandler body;

  public JsonBody(long limit) {
    this.body = BodyHandler.create(false).setBodyLimit(limit);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (hasBody(request) && !isJson(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      ctx.fail(HttpErrors.UNSUPPORTED_MEDIA_TYPE, ImException.badRequest("the body must be application/json"));
      return;
    }
    body.handle(ctx);
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      return !"0".equals(length.trim());
    }
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return JSON.equalsIgnoreCase(mediaType);
  }
}
