package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

/** {@code typing}: tell the other members of {@code conv} that {@code from} is typing; answered with {@code {}}. */
public record TypingCommand(String conv, String from, String conn) implements OwnerCommand {

  static final String TYPE_NAME = "typing";

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(TYPE, TYPE_NAME).put("conv", conv).put("from", from).put("conn", conn);
  }

  public static TypingCommand fromJson(JsonObject json) {
    return new TypingCommand(json.getString("conv"), json.getString("from"), json.getString("conn"));
  }
}
