package im.shared.bus.delivery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** What is published to {@code Addresses.ROOMS_DELIVER}: {@code {items:[...]}} of {@link RoomDeliverItem}s. */
public record RoomDeliverEvent(List<RoomDeliverItem> items) {

  static final String ITEMS = "items";

  public static RoomDeliverEvent of(RoomDeliverItem item) {
    return new RoomDeliverEvent(List.of(item));
  }

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(items.size()));
    items.forEach(item -> array.add(item.toJson()));
    return new JsonObject().put(ITEMS, array);
  }

  /** Null when {@code json} carries no items at all. */
  public static RoomDeliverEvent fromJson(JsonObject json) {
    JsonArray array = json == null ? null : json.getJsonArray(ITEMS);
    if (array == null) {
      return null;
    }
    List<RoomDeliverItem> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(RoomDeliverItem.fromJson(array.getJsonObject(i)));
    }
    return new RoomDeliverEvent(items);
  }
}
