package im.shared.bus.session;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code {op:"list", uid}}: the node's sessions of {@code uid}, answered with a {@link Reply}. The device rules
 * across nodes ask it of every other node that holds a route of the user.
 */
public record ListSessions(String uid) implements SessionCommand {

  static final String OP_NAME = "list";

  /** One session of the user on the answering node: its device and when it signed in (ms since the epoch). */
  public record Held(String device, long since) {}

  /** {@code {sessions:[{device, since}]}}. */
  public record Reply(List<Held> sessions) {

    public JsonObject toJson() {
      JsonArray list = new JsonArray();
      sessions.forEach(held -> list.add(new JsonObject().put("device", held.device()).put("since", held.since())));
      return new JsonObject().put("sessions", list);
    }

    public static Reply fromJson(JsonObject json) {
      JsonArray list = json.getJsonArray("sessions", new JsonArray());
      List<Held> sessions = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        JsonObject held = list.getJsonObject(i);
        sessions.add(new Held(held.getString("device"), held.getLong("since")));
      }
      return new Reply(sessions);
    }
  }

  @Override
  public JsonObject toJson() {
    return new JsonObject().put(OP, OP_NAME).put("uid", uid);
  }

  public static ListSessions fromJson(JsonObject json) {
    return new ListSessions(json.getString("uid"));
  }
}
