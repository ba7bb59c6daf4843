package im.shared.bus.delivery;

import im.protocol.Op;
import io.vertx.core.json.JsonObject;

/**
 * One item of a {@link RoomDeliverEvent}: frame {@code op} with {@code body} for every connection of the
 * receiving node that joined room {@code conv}, except connection {@code skip} and every connection of user
 * {@code skipUid}. JSON {@code {conv, skip, skipUid, t: opName, body:{...}}}; missing fields read as null.
 */
public record RoomDeliverItem(String conv, String skip, String skipUid, Op op, JsonObject body) {

  static final String CONV = "conv";
  static final String SKIP = "skip";
  static final String SKIP_UID = "skipUid";
  static final String OP = "t";
  static final String BODY = "body";

  public static RoomDeliverItem of(String conv, Op op, JsonObject body, String skipConn, String skipUid) {
    return new RoomDeliverItem(conv, skipConn, skipUid, op, body);
  }

  public boolean wellFormed() {
    return conv != null && op != null && body != null;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put(CONV, conv)
        .put(SKIP, skip)
        .put(SKIP_UID, skipUid)
        .put(OP, op.wireName())
        .put(BODY, body);
  }

  public static RoomDeliverItem fromJson(JsonObject json) {
    String op = json.getString(OP);
    return new RoomDeliverItem(json.getString(CONV), json.getString(SKIP), json.getString(SKIP_UID),
        op == null ? null : Op.fromName(op), json.getJsonObject(BODY));
  }
}
