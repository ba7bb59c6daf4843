package im.shared.auth;

/**
 * What a checked token says.
 *
 * @param uid        the user it was issued to
 * @param tokenId    its {@code jti}; null for tokens issued before tokens carried one (they can only be revoked
 *                   all at once, by {@code logout-all})
 * @param generation the user's token generation when it was issued ({@code gen}, 0 when absent)
 * @param expiresAt  when it stops being accepted, ms since the epoch
 */
public record TokenClaims(String uid, String tokenId, long generation, long expiresAt) {}
