package im.shared.bus.message;

import im.protocol.ImException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code group}: {@code by} creates group {@code conv} or changes its name, members or admins; the owner stores the
 * change as a {@code system} message and answers with its ack, or {@code {}} when nothing changed.
 *
 * @param name  for {@link Action#CREATE} and {@link Action#RENAME}; else null
 * @param uids  the members to add for {@link Action#CREATE} and {@link Action#ADD}; else empty
 * @param uid   the member concerned by {@link Action#REMOVE}, {@link Action#ADMIN_ADD}, {@link Action#ADMIN_REMOVE}
 */
public record GroupCommand(String conv, String by, Action action, String name, List<String> uids, String uid)
    implements OwnerCommand {

  static final String TYPE_NAME = "group";

  public enum Action {
    CREATE("create"), RENAME("rename"), ADD("add"), REMOVE("remove"), ADMIN_ADD("admin_add"), ADMIN_REMOVE("admin_remove");

    private final String wireName;

    Action(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    static Action fromWireName(String name) {
      for (Action action : values()) {
        if (action.wireName.equals(name)) {
          return action;
        }
      }
      throw ImException.badRequest("unknown group action " + name);
    }
  }

  public GroupCommand {
    uids = uids == null ? List.of() : List.copyOf(uids);
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(TYPE, TYPE_NAME).put("conv", conv).put("by", by).put("action", action.wireName())
        .put("name", name).put("uids", new JsonArray(uids)).put("uid", uid);
  }

  public static GroupCommand fromJson(JsonObject json) {
    return new GroupCommand(json.getString("conv"), json.getString("by"), Action.fromWireName(json.getString("action")),
        json.getString("name"), uids(json.getJsonArray("uids")), json.getString("uid"));
  }

  /** The uids of a JSON array as a client sent them; anything but uid strings is a {@code bad_request}. */
  public static List<String> uids(JsonArray given) {
    if (given == null) {
      return List.of();
    }
    List<String> uids = new ArrayList<>(given.size());
    for (Object uid : given) {
      if (!(uid instanceof String text) || text.isEmpty() || text.length() > 64) {
        throw ImException.badRequest("uids must be uid strings");
      }
      uids.add(text);
    }
    return uids;
  }
}
