package im.shared.bus.user;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Published on {@link im.shared.bus.Addresses#SOCIAL_CHANGED}: the friendship or blocks of users {@code a} and
 * {@code b} changed (already committed). Body {@code {uids:[a, b]}}.
 */
public record SocialChanged(String a, String b) {

  public JsonObject toJson() {
    return new JsonObject().put("uids", new JsonArray().add(a).add(b));
  }

  /** @return the event, or {@code null} when the body is not a pair of uids (such an event is ignored) */
  public static SocialChanged fromJson(JsonObject json) {
    JsonArray uids = json == null ? null : json.getJsonArray("uids");
    if (uids == null || uids.size() != 2 || !(uids.getValue(0) instanceof String a) || !(uids.getValue(1) instanceof String b)) {
      return null;
    }
    return new SocialChanged(a, b);
  }
}
