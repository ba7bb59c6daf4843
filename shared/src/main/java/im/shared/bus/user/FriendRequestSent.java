package im.shared.bus.user;

import io.vertx.core.json.JsonObject;

/**
 * The reply of {@link UserCommand.SendFriendRequest}: {@code {requestId}}, plus {@code conv} when the target had
 * asked first and both are now friends ({@code conv} null otherwise, and then absent from the JSON).
 */
public record FriendRequestSent(String requestId, String conv) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("requestId", requestId);
    return conv == null ? json : json.put("conv", conv);
  }

  public static FriendRequestSent fromJson(JsonObject json) {
    return new FriendRequestSent(json.getString("requestId"), json.getString("conv"));
  }
}
