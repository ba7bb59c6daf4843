package im.shared.bus.session;

import io.vertx.core.json.JsonObject;

/**
 * {@code {uid, tokenId?, expiresAt, generation, closed}}, published to {@code Addresses.TOKENS_REVOKED}: some tokens
 * of {@code uid} are refused from now on (docs/protocol.md §4 accounts). Either one token ({@code tokenId}, which
 * matters until {@code expiresAt}), or every token below {@code generation} ({@code logout-all}, account closed);
 * {@code generation} is -1 when it did not change. Every node's session service applies it to the node's view of
 * revocations and kicks the connections those tokens opened.
 */
public record TokensRevoked(String uid, String tokenId, long expiresAt, long generation, boolean closed) {

  public static TokensRevoked token(String uid, String tokenId, long expiresAt) {
    return new TokensRevoked(uid, tokenId, expiresAt, -1, false);
  }

  public static TokensRevoked below(String uid, long generation, boolean closed) {
    return new TokensRevoked(uid, null, 0, generation, closed);
  }

  /** The reason the connections get in {@code kicked}: {@code closed} for a deleted account, else {@code logout}. */
  public String kickReason() {
    return closed ? "closed" : "logout";
  }

  public JsonObject toJson() {
    return new JsonObject().put("uid", uid).put("tokenId", tokenId).put("expiresAt", expiresAt)
        .put("generation", generation).put("closed", closed);
  }

  public static TokensRevoked fromJson(JsonObject json) {
    return new TokensRevoked(json.getString("uid"), json.getString("tokenId"), json.getLong("expiresAt", 0L),
        json.getLong("generation", -1L), json.getBoolean("closed", false));
  }
}
