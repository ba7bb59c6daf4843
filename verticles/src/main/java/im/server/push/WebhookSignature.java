package im.server.push;

import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * The {@code X-IM-Signature} header of a webhook POST (docs/protocol.md §4, Offline push):
 * {@code sha256=<lowercase hex HMAC-SHA256 of the raw body>} under {@code IM_PUSH_WEBHOOK_SECRET}.
 *
 * <p>Threading: holds one {@link Mac}, which is not thread-safe: use from one context only.
 */
final class WebhookSignature {

  static final String HEADER = "X-IM-Signature";
  private static final String ALGORITHM = "HmacSHA256";

  private final Mac mac;

  WebhookSignature(String secret) {
    try {
      mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every Java 17 runtime", e);
    }
  }

  String sign(Buffer body) {
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes()));
  }
}
