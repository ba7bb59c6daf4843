package im.shared.bus.message;

import im.protocol.ImException;
import io.vertx.core.json.JsonObject;

/**
 * A command for the owner of a conversation (docs/architecture.md, Ownership and routing): every command names
 * its {@code conv}, and the owner tells them apart by {@code type}. Sent as JSON so that nodes of different
 * versions read what they understand; fields a reader does not know are ignored.
 */
public sealed interface OwnerCommand permits SendCommand, RecallCommand, GroupCommand, TypingCommand, RoomLookup,
    CallCommand {

  String TYPE = "type";

  /** The conversation whose owner executes the command. */
  String conv();

  JsonObject toJson();

  /** @throws ImException {@code bad_request} for a type this node does not know or a malformed command */
  static OwnerCommand fromJson(JsonObject json) {
    String type = json.getString(TYPE);
    if (type == null) {
      throw ImException.badRequest("owner command without a type");
    }
    try {
      return switch (type) {
        case SendCommand.TYPE_NAME -> SendCommand.fromJson(json);
        case RecallCommand.TYPE_NAME -> RecallCommand.fromJson(json);
        case GroupCommand.TYPE_NAME -> GroupCommand.fromJson(json);
        case TypingCommand.TYPE_NAME -> TypingCommand.fromJson(json);
        case RoomLookup.TYPE_NAME -> RoomLookup.fromJson(json);
        case CallCommand.TYPE_NAME -> CallCommand.fromJson(json);
        default -> throw ImException.badRequest("unknown owner command " + type);
      };
    } catch (ClassCastException e) {
      throw ImException.badRequest("malformed owner command " + type);
    }
  }
}
