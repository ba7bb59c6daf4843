package im.shared.bus.delivery;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What a node's fan-out sends to {@code Addresses.nodeDeliver(node)}: {@code {items:[...]}} of
 * {@link DeliverItem}s, to be written in order to that node's connections.
 */
public record DeliverEvent(List<DeliverItem> items) {

  static final String ITEMS = "items";

  public JsonObject toJson() {
    JsonArray array = new JsonArray(new ArrayList<>(items.size()));
    items.forEach(item -> array.add(item.toJson()));
    return new JsonObject().put(ITEMS, array);
  }

  /** Null when {@code json} carries no items at all. */
  public static DeliverEvent fromJson(JsonObject json) {
    JsonArray array = json == null ? null : json.getJsonArray(ITEMS);
    if (array == null) {
      return null;
    }
    List<DeliverItem> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(DeliverItem.fromJson(array.getJsonObject(i)));
    }
    return new DeliverEvent(items);
  }
}
