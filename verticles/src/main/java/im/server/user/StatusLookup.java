package im.server.user;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Where the friend list reads each friend's status: {@code {status, lastSeen}} of each of {@code uids} not shown
 * offline, exactly as last announced to friends (in production {@code Presence#shown}).
 */
@FunctionalInterface
public interface StatusLookup {

  Future<Map<String, JsonObject>> shown(List<String> uids);
}
