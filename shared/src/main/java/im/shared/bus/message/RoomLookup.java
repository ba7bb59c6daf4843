package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

/** {@code room}: succeeds with {@code {}} when chat room {@code conv} exists, else fails {@code not_found}. */
public record RoomLookup(String conv) implements OwnerCommand {

  static final String TYPE_NAME = "room";

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(TYPE, TYPE_NAME).put("conv", conv);
  }

  public static RoomLookup fromJson(JsonObject json) {
    return new RoomLookup(json.getString("conv"));
  }
}
