package im.shared.bus.delivery;

import im.protocol.Op;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;

/**
 * One item of a {@link DeliverEvent}: frame {@code op} with {@code body} for every connection of {@code uids} on
 * the receiving node, except connection {@code skip}, and, when {@code devices} is set, only for connections of
 * those devices (call signaling is bound to devices, docs/protocol.md §3, Calls). JSON {@code {uids:[uid...],
 * skip: connId|null, devices: [device...]|absent, t: opName, body:{...}}}.
 *
 * <p>{@link #fromJson} tolerates what a newer node may send: an op this node does not know reads as a null
 * {@code op}, and a missing field as null; {@link #wellFormed} tells the receiver whether it can deliver it.
 */
public record DeliverItem(List<String> uids, String skip, Op op, JsonObject body, List<String> devices) {

  static final String UIDS = "uids";
  static final String SKIP = "skip";
  static final String DEVICES = "devices";
  static final String OP = "t";
  static final String BODY = "body";

  public DeliverItem(List<String> uids, String skip, Op op, JsonObject body) {
    this(uids, skip, op, body, null);
  }

  public static DeliverItem of(Collection<String> uids, Op op, JsonObject body, String skipConn) {
    return new DeliverItem(List.copyOf(uids), skipConn, op, body);
  }

  /** The frame for {@code uid}'s connections of {@code devices} only. */
  public static DeliverItem toDevices(String uid, Collection<String> devices, Op op, JsonObject body) {
    return new DeliverItem(List.of(uid), null, op, body, List.copyOf(devices));
  }

  public boolean wellFormed() {
    return uids != null && op != null && body != null;
  }

  /** Whether a connection of {@code device} (of one of {@code uids}) gets the frame. */
  public boolean reaches(String device) {
    return devices == null || devices.contains(device);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put(UIDS, new JsonArray(uids))
        .put(SKIP, skip)
        .put(OP, op.wireName())
        .put(BODY, body);
    if (devices != null) {
      json.put(DEVICES, new JsonArray(devices));
    }
    return json;
  }

  @SuppressWarnings("unchecked")
  public static DeliverItem fromJson(JsonObject json) {
    JsonArray uids = json.getJsonArray(UIDS);
    JsonArray devices = json.getJsonArray(DEVICES);
    String op = json.getString(OP);
    return new DeliverItem(uids == null ? null : (List<String>) (List<?>) uids.getList(), json.getString(SKIP),
        op == null ? null : Op.fromName(op), json.getJsonObject(BODY),
        devices == null ? null : (List<String>) (List<?>) devices.getList());
  }
}
