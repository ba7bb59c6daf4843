package im.shared.bus.user;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@link UserCommand.ListFriends}: {@code {friends:[{uid, username, displayName, status, lastSeen}]}},
 * with the status and lastSeen last announced to friends; {@code lastSeen} may be null.
 */
public record FriendList(List<Friend> friends) {

  public record Friend(String uid, String username, String displayName, String status, Long lastSeen) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("uid", uid)
          .put("username", username)
          .put("displayName", displayName)
          .put("status", status)
          .put("lastSeen", lastSeen);
    }

    public static Friend fromJson(JsonObject json) {
      return new Friend(json.getString("uid"), json.getString("username"), json.getString("displayName"),
          json.getString("status"), json.getLong("lastSeen"));
    }
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    friends.forEach(friend -> array.add(friend.toJson()));
    return new JsonObject().put("friends", array);
  }

  public static FriendList fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("friends", new JsonArray());
    List<Friend> friends = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      friends.add(Friend.fromJson(array.getJsonObject(i)));
    }
    return new FriendList(List.copyOf(friends));
  }
}
