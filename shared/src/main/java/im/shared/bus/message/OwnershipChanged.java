package im.shared.bus.message;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Published on this node only ({@link im.shared.bus.Addresses#OWNERSHIP_CHANGED}) when conversations may have moved
 * to another owner: a member joined or left the cluster, a partition migration finished, or the node's message
 * instances were scaled. Owners drop what they cached about conversations.
 *
 * @param members   the cluster's node ids now
 * @param instances this node's message instances now
 * @param reason    what happened, for the log
 */
public record OwnershipChanged(List<String> members, int instances, String reason) {

  public JsonObject toJson() {
    return new JsonObject().put("members", new JsonArray(members)).put("instances", instances).put("reason", reason);
  }

  @SuppressWarnings("unchecked")
  public static OwnershipChanged fromJson(JsonObject json) {
    JsonArray members = json.getJsonArray("members");
    return new OwnershipChanged(members == null ? List.of() : List.copyOf((List<String>) (List<?>) members.getList()),
        json.getInteger("instances", 0), json.getString("reason"));
  }
}
