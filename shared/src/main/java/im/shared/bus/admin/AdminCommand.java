package im.shared.bus.admin;

import im.protocol.ImException;
import io.vertx.core.json.JsonObject;

/**
 * An operator's command for one node, on {@link im.shared.bus.Addresses#nodeAdmin}; the {@code op} field names it.
 * Replies: {@link Status} → {@code {node, connections:{ws, tcp}, verticles:{name: instances}}};
 * {@link Scale} → {@code {node, verticle, instances}}; {@link Kick} → {@link Kicked}.
 */
public sealed interface AdminCommand {

  JsonObject toJson();

  /** @throws ImException {@code bad_request} for an op this node does not know */
  static AdminCommand fromJson(JsonObject json) {
    String op = json == null ? null : json.getString("op");
    if (Status.OP.equals(op)) {
      return new Status();
    }
    if (Scale.OP.equals(op)) {
      return new Scale(json.getString("verticle"), json.getInteger("instances", 0));
    }
    if (Kick.OP.equals(op)) {
      return new Kick(json.getString("uid"));
    }
    throw ImException.badRequest("unknown admin command " + op);
  }

  /** The node's connections per transport and verticle instances per kind. */
  record Status() implements AdminCommand {
    static final String OP = "status";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("op", OP);
    }
  }

  /** Runs {@code instances} of verticle kind {@code verticle} on the node. */
  record Scale(String verticle, int instances) implements AdminCommand {
    static final String OP = "scale";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("op", OP).put("verticle", verticle).put("instances", instances);
    }
  }

  /** Kicks every connection of {@code uid} on the node with reason {@code admin}. */
  record Kick(String uid) implements AdminCommand {
    static final String OP = "kick";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("op", OP).put("uid", uid);
    }
  }

  /** The reply to {@link Kick}: how many connections the node closed. */
  record Kicked(String node, int kicked) {
    public JsonObject toJson() {
      return new JsonObject().put("node", node).put("kicked", kicked);
    }

    public static Kicked fromJson(JsonObject json) {
      return new Kicked(json.getString("node"), json.getInteger("kicked", 0));
    }
  }
}
