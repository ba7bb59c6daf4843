package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

/** {@code recall}: {@code by} recalls message {@code seq} of {@code conv}; answered with {@code {}}. */
public record RecallCommand(String conv, long seq, String by, String conn) implements OwnerCommand {

  static final String TYPE_NAME = "recall";

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(TYPE, TYPE_NAME).put("conv", conv).put("seq", seq).put("by", by).put("conn", conn);
  }

  public static RecallCommand fromJson(JsonObject json) {
    Long seq = json.getLong("seq");
    return new RecallCommand(json.getString("conv"), seq == null ? 0 : seq, json.getString("by"), json.getString("conn"));
  }
}
