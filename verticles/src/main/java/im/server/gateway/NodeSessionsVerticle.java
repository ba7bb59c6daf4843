package im.server.gateway;

import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * This node's end of {@link ClusterDevices}: consumes {@link Addresses#nodeSessions} (cluster-wide, once per
 * node: deploy one instance). {@code list {uid}} answers {@code {sessions:[{device, since}]}};
 * {@code kick {uid, device, since, reason}} kicks that device's session here if it signed in no later than
 * {@code since}.
 */
public final class NodeSessionsVerticle extends VerticleBase {

  private final String nodeId;
  private final LocalSessions sessions;
  private MessageConsumer<JsonObject> consumer;

  public NodeSessionsVerticle(String nodeId, LocalSessions sessions) {
    this.nodeId = nodeId;
    this.sessions = sessions;
  }

  static JsonObject list(String uid) {
    return new JsonObject().put("op", "list").put("uid", uid);
  }

  static JsonObject kick(String uid, String device, long since, String reason) {
    return new JsonObject().put("op", "kick").put("uid", uid).put("device", device).put("since", since).put("reason", reason);
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeSessions(nodeId), this::onCommand);
    return consumer.completion();
  }

  private void onCommand(Message<JsonObject> message) {
    JsonObject command = message.body();
    String uid = command.getString("uid");
    switch (String.valueOf(command.getString("op"))) {
      case "list" -> {
        JsonArray list = new JsonArray();
        for (ClientSession session : sessions.sessionsOf(uid)) {
          list.add(new JsonObject().put("device", session.device()).put("since", session.signedInAtMs()));
        }
        message.reply(new JsonObject().put("sessions", list));
      }
      case "kick" -> sessions.kickDevice(uid, command.getString("device"), command.getLong("since"), command.getString("reason"));
      default -> BusErrors.fail(message, ImException.badRequest("unknown sessions command"));
    }
  }
}
