package im.shared.bus.push;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The offline recipients of one fan-out, in seq order, sent on {@link im.shared.bus.Addresses#PUSH}: one event per
 * group-commit batch, so the push side resolves mutes and badges with one query per batch.
 */
public record PushBatch(List<PushItem> items) {

  public JsonObject toJson() {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(item.toJson()));
    return new JsonObject().put("items", array);
  }

  public static PushBatch fromJson(JsonObject json) {
    List<PushItem> items = new ArrayList<>();
    json.getJsonArray("items", new JsonArray()).forEach(item -> items.add(PushItem.fromJson((JsonObject) item)));
    return new PushBatch(items);
  }
}
