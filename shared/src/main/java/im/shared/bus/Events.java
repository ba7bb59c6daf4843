package im.shared.bus;

import im.protocol.Op;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * The JSON shapes carried on the event bus, defined once. All are plain {@link JsonObject}s so that
 * they cross nodes with the default codec.
 *
 * <ul>
 *   <li>owner command {@code send}: {@code {type:"send", conv, from, device, conn, cmid, kind, body}};
 *       reply: the ack body {@code {cmid, conv, seq, mid, ts}}</li>
 *   <li>owner command {@code recall}: {@code {type:"recall", conv, seq, by, conn}}; reply {@code {}}</li>
 *   <li>deliver: {@code {items:[{uids:[uid...], skip: connId|null, t: opName, body:{...}}]}}: every
 *       connection of those users on the receiving node gets frame {@code t} with {@code body},
 *       except connection {@code skip}</li>
 * </ul>
 */
public final class Events {

  public static final String TYPE = "type";
  public static final String SEND = "send";
  public static final String RECALL = "recall";
  /**
   * Owner command {@code {type:"group", conv, by, action, name?, uids?, uid?}}: a group's creation or a change of
   * its name, members or admins, stored as a {@code system} message; reply: that message's ack, or {@code {}}
   * when nothing changed.
   */
  public static final String GROUP = "group";
  /** Owner command {@code {type:"typing", conv, from, conn}}: tells the other members; reply {@code {}}. */
  public static final String TYPING = "typing";
  /** Owner command {@code {type:"room", conv}}: whether the room exists; reply {@code {}}. */
  public static final String ROOM = "room";
  /** In an item published to {@link Addresses#ROOMS_DELIVER}: the room whose joined connections get the frame. */
  public static final String CONV = "conv";
  /** In an item published to {@link Addresses#ROOMS_DELIVER}: a user none of whose connections get the frame. */
  public static final String SKIP_UID = "skipUid";

  public static final String ITEMS = "items";
  public static final String UIDS = "uids";
  public static final String SKIP = "skip";
  public static final String OP = "t";
  public static final String BODY = "body";

  private Events() {}

  public static JsonObject send(String conv, String from, String device, String conn, String cmid, String kind, JsonObject body) {
    return new JsonObject()
        .put(TYPE, SEND)
        .put("conv", conv)
        .put("from", from)
        .put("device", device)
        .put("conn", conn)
        .put("cmid", cmid)
        .put("kind", kind)
        .put("body", body);
  }

  public static JsonObject recall(String conv, long seq, String by, String conn) {
    return new JsonObject().put(TYPE, RECALL).put("conv", conv).put("seq", seq).put("by", by).put("conn", conn);
  }

  /** One item of a deliver event. */
  public static JsonObject deliveryItem(Collection<String> uids, Op op, JsonObject body, String skipConn) {
    return new JsonObject()
        .put(UIDS, new JsonArray(uids.stream().toList()))
        .put(SKIP, skipConn)
        .put(OP, op.wireName())
        .put(BODY, body);
  }

  public static JsonObject deliver(JsonArray items) {
    return new JsonObject().put(ITEMS, items);
  }
}
