package im.shared.bus.user;

import io.vertx.core.json.JsonObject;

/**
 * A user's public profile, {@code {uid, username, displayName, avatarUrl}} ({@code docs/protocol.md §4}); the reply
 * of the account commands. {@code avatarUrl} may be null. Never carries the password hash.
 */
public record Profile(String uid, String username, String displayName, String avatarUrl) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("uid", uid)
        .put("username", username)
        .put("displayName", displayName)
        .put("avatarUrl", avatarUrl);
  }

  public static Profile fromJson(JsonObject json) {
    return new Profile(json.getString("uid"), json.getString("username"), json.getString("displayName"),
        json.getString("avatarUrl"));
  }
}
