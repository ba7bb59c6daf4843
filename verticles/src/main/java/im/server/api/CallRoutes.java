package im.server.api;

import im.shared.config.ImConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/calls/config} (docs/protocol.md §4): the ICE servers a client hands its {@code RTCPeerConnection},
 * from {@code calls.iceServers}; none by default, so peers on one network connect directly. Signed-in users only, as
 * TURN credentials may be in it.
 */
final class CallRoutes {

  private final JsonObject config;

  CallRoutes(ImConfig.Calls calls) {
    this.config = new JsonObject().put("iceServers", new JsonArray(calls.iceServers().stream().map(JsonObject::copy).toList()));
  }

  void config(RoutingContext ctx) {
    Replies.ok(ctx, config);
  }
}
