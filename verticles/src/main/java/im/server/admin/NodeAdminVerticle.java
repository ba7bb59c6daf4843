package im.server.admin;

import im.protocol.ImException;
import im.server.session.LocalSessions;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.admin.AdminCommand;
import im.shared.bus.session.KickUser;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * This node's side of the operators API: answers {@link Addresses#nodeAdmin} (cluster-wide, once per node,
 * so deploy one instance). Commands: {@code status} → {@code {node, connections:{ws, tcp}, verticles}};
 * {@code scale {verticle, instances}} → {@code {node, verticle, instances}}; {@code kick {uid}} →
 * {@code {node, kicked}} once the node's session verticle has told each of the user's connections here
 * {@code kicked {"reason":"admin"}}.
 */
public final class NodeAdminVerticle extends VerticleBase {

  private final String nodeId;
  private final LocalSessions sessions;
  private final VerticleScaler scaler;
  private MessageConsumer<JsonObject> consumer;

  public NodeAdminVerticle(String nodeId, LocalSessions sessions, VerticleScaler scaler) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.scaler = scaler;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeAdmin(nodeId), this::onCommand);
    return consumer.completion();
  }

  private void onCommand(Message<JsonObject> message) {
    Future<JsonObject> reply;
    try {
      reply = execute(AdminCommand.fromJson(message.body()));
    } catch (ImException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(message::reply).onFailure(failure -> BusErrors.fail(message, failure));
  }

  private Future<JsonObject> execute(AdminCommand command) {
    if (command instanceof AdminCommand.Scale scale) {
      return scaler.scale(scale.verticle(), scale.instances())
          .map(count -> new JsonObject().put("node", nodeId).put("verticle", scale.verticle()).put("instances", count));
    }
    if (command instanceof AdminCommand.Kick kick) {
      // The session verticle owns the node's connections: it kicks them and says how many there were.
      return vertx.eventBus().<JsonObject>request(Addresses.nodeSessions(nodeId), new KickUser(kick.uid(), "admin").toJson())
          .map(answer -> new AdminCommand.Kicked(nodeId, KickUser.Reply.fromJson(answer.body()).kicked()).toJson());
    }
    return Future.succeededFuture(status());
  }

  private JsonObject status() {
    JsonObject verticles = new JsonObject();
    scaler.counts().forEach(verticles::put);
    return new JsonObject()
        .put("node", nodeId)
        .put("connections", new JsonObject().put("ws", sessions.count("ws")).put("tcp", sessions.count("tcp")))
        .put("verticles", verticles);
  }
}
