package im.shared.bus.user;

import io.vertx.core.json.JsonObject;

/** The reply of {@link UserCommand.AcceptFriendRequest}: {@code {conv}}, the new friends' one-to-one conversation. */
public record Befriended(String conv) {

  public JsonObject toJson() {
    return new JsonObject().put("conv", conv);
  }

  public static Befriended fromJson(JsonObject json) {
    return new Befriended(json.getString("conv"));
  }
}
