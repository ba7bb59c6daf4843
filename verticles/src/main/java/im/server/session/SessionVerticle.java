package im.server.session;

import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.session.KickDevice;
import im.shared.bus.session.KickUser;
import im.shared.bus.session.ListSessions;
import im.shared.bus.session.SessionCommand;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's session service: consumes {@link Addresses#nodeSessions} (cluster-wide, once per node: deploy one
 * instance). {@link ListSessions} and {@link KickDevice} are this node's end of {@link ClusterDevices};
 * {@link KickUser} is the operators' kick of a user, answered with how many connections were kicked.
 *
 * <p>Threading: commands run on the verticle's context; the kicks hop onto each connection's own.
 */
public final class SessionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SessionVerticle.class);

  private final String nodeId;
  private final LocalSessions sessions;
  private MessageConsumer<JsonObject> consumer;

  public SessionVerticle(String nodeId, LocalSessions sessions) {
    this.nodeId = nodeId;
    this.sessions = sessions;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeSessions(nodeId), this::onCommand);
    return consumer.completion();
  }

  private void onCommand(Message<JsonObject> message) {
    SessionCommand command = SessionCommand.fromJson(message.body());
    if (command instanceof ListSessions list) {
      message.reply(new ListSessions.Reply(sessions.sessionsOf(list.uid()).stream()
          .map(session -> new ListSessions.Held(session.device(), session.signedInAtMs()))
          .toList()).toJson());
    } else if (command instanceof KickDevice kick) {
      sessions.kickDevice(kick.uid(), kick.device(), kick.since(), kick.reason());
    } else if (command instanceof KickUser kick) {
      int kicked = sessions.kickUser(kick.uid(), kick.reason());
      if (kicked > 0) {
        LOG.info("kicked {} connections of {}: {}", kicked, kick.uid(), kick.reason());
      }
      message.reply(new KickUser.Reply(kicked).toJson());
    } else {
      BusErrors.fail(message, ImException.badRequest("unknown sessions command"));
    }
  }
}
