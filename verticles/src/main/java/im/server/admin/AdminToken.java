package im.server.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The operators' bearer token ({@code IM_ADMIN_TOKEN}). Compared in constant time, so the time a wrong
 * guess takes says nothing about how much of it was right. Empty means the admin API is off. Immutable.
 */
final class AdminToken {

  private static final String PREFIX = "Bearer ";

  private final byte[] expected;

  AdminToken(String token) {
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  boolean enabled() {
    return expected.length > 0;
  }

  /** Whether an {@code Authorization} header value carries the token; false when the API is off. */
  boolean accepts(String authorization) {
    if (!enabled() || authorization == null
        || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    byte[] given = authorization.substring(PREFIX.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
  }
}
