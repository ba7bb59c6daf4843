package im.server.api;

import im.protocol.ImException;
import im.shared.store.MediaStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Upload and download of media by content hash and type (docs/protocol.md §4 media): the url names both, so
 * identical bytes uploaded as another type get another url. Handlers run on the request's event loop.
 */
final class MediaRoutes {

  static final String URL_PREFIX = "/media/";
  private static final String DEFAULT_MIME = "application/octet-stream";
  private static final Pattern MIME = Pattern.compile("[a-z0-9!#$&^_.+-]{1,64}/[a-z0-9!#$&^_.+-]{1,128}");
  /** A bare SHA-256 names a file stored before the type was part of the id. */
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}(\\.[0-9a-f]{16})?");

  private final MediaStore media;
  private final MediaLinks links;

  MediaRoutes(MediaStore media, MediaLinks links) {
    this.media = media;
    this.links = links;
  }

  /** Whether a download carries a good signed link ({@link MediaLinks}) and needs no token. */
  boolean signed(RoutingContext ctx) {
    return links.allows(ctx, ctx.pathParam("id"));
  }

  /** {@code GET /api/v1/media/{id}/link} → {@code {url, expiresAt}}: a signed link that works without a token. */
  void link(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw ImException.notFound("no such media");
    }
    long expiresAt = System.currentTimeMillis() + MediaLinks.TTL_MS;
    Replies.ok(ctx, new JsonObject().put("url", links.link(id, expiresAt)).put("expiresAt", expiresAt));
  }

  /** Runs before the body is read: a form body would be parsed away by the body handler instead of stored. */
  void refuseForms(RoutingContext ctx) {
    String mime = mime(ctx);
    if (mime.equals("multipart/form-data") || mime.equals("application/x-www-form-urlencoded")) {
      throw ImException.badRequest("send the file's raw bytes as the body, with its own Content-Type");
    }
    ctx.next();
  }

  void upload(RoutingContext ctx) {
    Buffer bytes = ctx.body().buffer();
    if (bytes == null || bytes.length() == 0) {
      throw ImException.badRequest("empty body");
    }
    media.put(bytes, mime(ctx))
        .onSuccess(stored -> Replies.json(ctx, 201, new JsonObject()
            .put("url", URL_PREFIX + stored.id())
            .put("sha256", stored.sha256())
            .put("size", stored.size())
            .put("mime", stored.mime())))
        .onFailure(ctx::fail);
  }

  void download(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!ID.matcher(id).matches()) {
      throw ImException.notFound("no such media");
    }
    media.get(id).onSuccess(found -> {
      if (found == null) {
        ctx.fail(ImException.notFound("no such media"));
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, found.mime())
          // The url names the content, so it never changes; private because it needs a token.
          .putHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable")
          .putHeader(HttpHeaders.ETAG, "\"" + id + "\"")
          // Uploaded content is untrusted: never sniff it into something executable, never run it as a page.
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Content-Security-Policy", "default-src 'none'; sandbox")
          .end(found.data());
    }).onFailure(ctx::fail);
  }

  /** The request's media type, lower-cased, without parameters; {@code application/octet-stream} when absent. */
  private static String mime(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (header == null || header.isBlank()) {
      return DEFAULT_MIME;
    }
    int semicolon = header.indexOf(';');
    String mime = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    if (!MIME.matcher(mime).matches()) {
      throw ImException.badRequest("Content-Type must be a media type such as image/png");
    }
    return mime;
  }
}
