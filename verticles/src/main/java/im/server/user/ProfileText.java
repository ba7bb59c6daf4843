package im.server.user;

import im.protocol.ImException;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Hygiene of what one user writes for others to see (docs/protocol.md §4, Accounts): display names lose control
 * and bidi-control characters, which could hide or reorder what other users' clients show (a name that renders as
 * someone else's); an avatar URL is {@code https:}/{@code http:} or a path on this server, never {@code javascript:},
 * {@code data:} or a scheme-relative {@code //host}. Stateless and thread-safe.
 */
final class ProfileText {

  private ProfileText() {}

  /** {@code raw} without C0/C1 control characters and the bidi embeddings, overrides, isolates and marks. */
  static String withoutControls(String raw) {
    StringBuilder kept = new StringBuilder(raw.length());
    raw.codePoints().filter(c -> !isControl(c)).forEach(kept::appendCodePoint);
    return kept.toString();
  }

  private static boolean isControl(int c) {
    return Character.getType(c) == Character.CONTROL
        || (c >= 0x202A && c <= 0x202E) // LRE, RLE, PDF, LRO, RLO
        || (c >= 0x2066 && c <= 0x2069) // LRI, RLI, FSI, PDI
        || c == 0x200E || c == 0x200F || c == 0x061C; // LRM, RLM, ALM
  }

  /** @throws ImException {@code bad_request} unless {@code url} is an absolute http(s) URL or a path on this server */
  static String avatarUrl(String url) {
    if (url.chars().anyMatch(c -> Character.isWhitespace(c) || Character.getType(c) == Character.CONTROL)) {
      throw ImException.badRequest("avatarUrl must not contain spaces or control characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ImException.badRequest("avatarUrl is not a valid URL");
    }
    String scheme = uri.getScheme();
    boolean web = scheme != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))
        && uri.getHost() != null && !uri.getHost().isEmpty();
    boolean local = scheme == null && uri.getRawAuthority() == null && url.startsWith("/") && !url.startsWith("//")
        && !url.startsWith("/\\");
    if (!web && !local) {
      throw ImException.badRequest("avatarUrl must be an https: or http: URL, or a path on this server");
    }
    return url;
  }
}
