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
 *   <li>deliver: {@code {items:[{uids:[uid...], skip: connId|null, t: opName, body:{...}}]}}: every
 *       connection of those users on the receiving node gets frame {@code t} with {@code body},
 *       except connection {@code skip}</li>
 * </ul>
 */
public final class Events {

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
