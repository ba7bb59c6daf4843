package im.shared.bus.delivery;

import im.protocol.Op;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;

/**
 * One item of a {@link DeliverEvent}: frame {@code op} with {@code body} for every connection of {@code uids} on
 * the receiving node, except connection {@code skip}. JSON {@code {uids:[uid...], skip: connId|null, t: opName,
 * body:{...}}}.
 *
 * <p>{@link #fromJson} tolerates what a newer node may send: an op this node does not know reads as a null
 * {@code op}, and a missing field as null; {@link #wellFormed} tells the receiver whether it can deliver it.
 */
public record DeliverItem(List<String> uids, String skip, Op op, JsonObject body) {

  static final String UIDS = "uids";
  static final String SKIP = "skip";
  static final String OP = "t";
  static final String BODY = "body";

  public static DeliverItem of(Collection<String> uids, Op op, JsonObject body, String skipConn) {
    return new DeliverItem(List.copyOf(uids), skipConn, op, body);
  }

  public boolean wellFormed() {
    return uids != null && op != null && body != null;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put(UIDS, new JsonArray(uids))
        .put(SKIP, skip)
        .put(OP, op.wireName())
        .put(BODY, body);
  }

  @SuppressWarnings("unchecked")
  public static DeliverItem fromJson(JsonObject json) {
    JsonArray uids = json.getJsonArray(UIDS);
    String op = json.getString(OP);
    return new DeliverItem(uids == null ? null : (List<String>) (List<?>) uids.getList(), json.getString(SKIP),
        op == null ? null : Op.fromName(op), json.getJsonObject(BODY));
  }
}
