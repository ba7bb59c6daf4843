package im.shared.bus.user;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** The reply of {@link UserCommand.ListBlocks}: {@code {uids:[uid...]}}, the users blocked, oldest block first. */
public record BlockList(List<String> uids) {

  public JsonObject toJson() {
    return new JsonObject().put("uids", new JsonArray(new ArrayList<>(uids)));
  }

  public static BlockList fromJson(JsonObject json) {
    JsonArray array = json.getJsonArray("uids", new JsonArray());
    List<String> uids = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      uids.add(array.getString(i));
    }
    return new BlockList(List.copyOf(uids));
  }
}
