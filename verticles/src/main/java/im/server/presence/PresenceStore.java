package im.server.presence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Presence soft state in Redis (losing it loses no message): {@code presence:set:<uid>} holds the status a user
 * chose (absent = online), with a TTL; {@code presence:shown:<uid>} holds {@code {status, lastSeen}} as last
 * announced to friends (absent = offline), so that the friend list agrees with the {@code presence} frames.
 * Thread-safe, non-blocking.
 */
public final class PresenceStore {

  private static final String CHOSEN = "presence:set:";
  private static final String SHOWN = "presence:shown:";

  private final Redis redis;

  public PresenceStore(Redis redis) {
    this.redis = redis;
  }

  public Future<Void> choose(String uid, PresenceStatus status, long ttlMs) {
    Request request = status == PresenceStatus.ONLINE
        ? Request.cmd(Command.DEL).arg(CHOSEN + uid)
        : Request.cmd(Command.SET).arg(CHOSEN + uid).arg(status.wireName()).arg("PX").arg(ttlMs);
    return redis.send(request).mapEmpty();
  }

  /** The status the user chose; {@code online} when none. */
  public Future<PresenceStatus> chosen(String uid) {
    return redis.send(Request.cmd(Command.GET).arg(CHOSEN + uid))
        .map(value -> value == null ? PresenceStatus.ONLINE : PresenceStatus.of(value.toString(), PresenceStatus.ONLINE));
  }

  public Future<Void> setShown(String uid, PresenceStatus status, long lastSeen) {
    Request request = status == PresenceStatus.OFFLINE
        ? Request.cmd(Command.DEL).arg(SHOWN + uid)
        : Request.cmd(Command.SET).arg(SHOWN + uid).arg(shownJson(status, lastSeen).encode());
    return redis.send(request).mapEmpty();
  }

  /** @return {@code {status, lastSeen}} of each of {@code uids} shown as anything but offline */
  public Future<Map<String, JsonObject>> shown(List<String> uids) {
    if (uids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Request request = Request.cmd(Command.MGET);
    uids.forEach(uid -> request.arg(SHOWN + uid));
    return redis.send(request).map(values -> {
      Map<String, JsonObject> shown = new HashMap<>();
      for (int i = 0; i < uids.size(); i++) {
        Response value = values.get(i);
        if (value != null) {
          shown.put(uids.get(i), new JsonObject(value.toString()));
        }
      }
      return shown;
    });
  }

  static JsonObject shownJson(PresenceStatus status, long lastSeen) {
    return new JsonObject().put("status", status.wireName()).put("lastSeen", lastSeen);
  }
}
