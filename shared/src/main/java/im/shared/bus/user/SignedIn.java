package im.shared.bus.user;

import io.vertx.core.json.JsonObject;

/**
 * The reply of a password check ({@code login}, {@code close}): the account's profile and its token generation,
 * which the tokens issued now carry (docs/architecture.md, "Accounts and tokens"). {@code {profile fields...,
 * tokenGeneration}}.
 */
public record SignedIn(Profile profile, long tokenGeneration) {

  public JsonObject toJson() {
    return profile.toJson().put("tokenGeneration", tokenGeneration);
  }

  public static SignedIn fromJson(JsonObject json) {
    return new SignedIn(Profile.fromJson(json), json.getLong("tokenGeneration", 0L));
  }
}
