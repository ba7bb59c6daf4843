package im.shared.bus.session;

import io.vertx.core.json.JsonObject;

/**
 * A command to a node's session verticle at {@code Addresses.nodeSessions(node)}, told apart by its {@code op}
 * field: {@link ListSessions} {@code "list"}, {@link KickDevice} {@code "kick"}, {@link KickUser}
 * {@code "kickUser"}.
 */
public sealed interface SessionCommand permits ListSessions, KickDevice, KickUser {

  String OP = "op";

  JsonObject toJson();

  /** The command {@code json} holds, or null for an op this node does not know. */
  static SessionCommand fromJson(JsonObject json) {
    String op = json == null ? null : json.getString(OP);
    if (ListSessions.OP_NAME.equals(op)) {
      return ListSessions.fromJson(json);
    }
    if (KickDevice.OP_NAME.equals(op)) {
      return KickDevice.fromJson(json);
    }
    if (KickUser.OP_NAME.equals(op)) {
      return KickUser.fromJson(json);
    }
    return null;
  }
}
