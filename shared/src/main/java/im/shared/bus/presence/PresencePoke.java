package im.shared.bus.presence;

import io.vertx.core.json.JsonObject;

/**
 * A change of a user's connections or chosen status, sent to the node that owns the user's presence
 * ({@code im.node.<id>.presence}), which coalesces them and tells friends (docs/architecture.md, Presence).
 *
 * @param kind   null for a kind this node does not know: the owner then only re-evaluates the user
 * @param at     when the change happened on the sending node (ms since the epoch)
 * @param status the chosen status for {@link Kind#STATUS}; else null
 */
public record PresencePoke(String uid, Kind kind, long at, String status) {

  public enum Kind {
    CONNECT("connect"), DISCONNECT("disconnect"), STATUS("status");

    private final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    static Kind fromWireName(String name) {
      for (Kind kind : values()) {
        if (kind.wireName.equals(name)) {
          return kind;
        }
      }
      return null;
    }
  }

  public static PresencePoke connected(String uid) {
    return new PresencePoke(uid, Kind.CONNECT, System.currentTimeMillis(), null);
  }

  public static PresencePoke disconnected(String uid) {
    return new PresencePoke(uid, Kind.DISCONNECT, System.currentTimeMillis(), null);
  }

  public static PresencePoke chose(String uid, String status) {
    return new PresencePoke(uid, Kind.STATUS, System.currentTimeMillis(), status);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("uid", uid).put("kind", kind == null ? null : kind.wireName).put("at", at);
    return status == null ? json : json.put("status", status);
  }

  /** @return null when the JSON names no user */
  public static PresencePoke fromJson(JsonObject json, long now) {
    String uid = json == null ? null : json.getString("uid");
    if (uid == null) {
      return null;
    }
    return new PresencePoke(uid, Kind.fromWireName(json.getString("kind")), json.getLong("at", now), json.getString("status"));
  }
}
