package im.server.api;

import io.vertx.ext.web.RoutingContext;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Signed, short-lived media links (docs/protocol.md §4 media): {@code /media/<id>?expires=<ms>&sig=<hex>}, where
 * {@code sig} is an HMAC-SHA256 of the id and the expiry under a key every node derives from the JWT secret. A
 * link fetches that one file until it expires, without a token, so {@code <img>} tags need not carry a bearer token
 * in their URL. Thread-safe and stateless.
 */
final class MediaLinks {

  /** How long a link works: long enough to load a page, short enough that a leaked link soon stops working. */
  static final long TTL_MS = 5 * 60 * 1000;
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  MediaLinks(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /** A link to the file {@code id} that works until {@code expiresAt} (ms since the epoch). */
  String link(String id, long expiresAt) {
    return MediaRoutes.URL_PREFIX + id + "?expires=" + expiresAt + "&sig=" + HexFormat.of().formatHex(sign(id, expiresAt));
  }

  /** Whether the request carries a good, unexpired signature for the file {@code id}. */
  boolean allows(RoutingContext ctx, String id) {
    String expires = ctx.request().getParam("expires");
    String sig = ctx.request().getParam("sig");
    if (expires == null || sig == null) {
      return false;
    }
    try {
      long expiresAt = Long.parseLong(expires);
      return expiresAt > System.currentTimeMillis()
          && MessageDigest.isEqual(sign(id, expiresAt), HexFormat.of().parseHex(sig));
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  private byte[] sign(String id, long expiresAt) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal((id + "\n" + expiresAt).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java has " + ALGORITHM, e);
    }
  }
}
