package im.shared.bus.user;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@link UserCommand.ListFriendRequests}: {@code {requests:[{requestId, from, message, createdAt}]}},
 * oldest first; {@code message} may be null.
 */
public record PendingRequests(List<Request> requests) {

  public record Request(String requestId, String from, String message, long createdAt) {

    public JsonObject toJson() {
      return new JsonObject().put("requestId", requestId).put("from", from).put("message", message)
          .put("createdAt", createdAt);
    }

    public static Request fromJson(JsonObject json) {
      return new Request(json.getString("requestId"), json.getString("from"), json.getString("message"),
          json.getLong("createdAt", 0L));
    }
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    requests.forEach(request -> array.add(request.toJson()));
    return new JsonObject().put("requests", array);
  }

  public static PendingRequests fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("requests", new JsonArray());
    List<Request> requests = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      requests.add(Request.fromJson(array.getJsonObject(i)));
    }
    return new PendingRequests(List.copyOf(requests));
  }
}
