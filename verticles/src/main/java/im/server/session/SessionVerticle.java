package im.server.session;

import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.session.KickDevice;
import im.shared.bus.session.KickUser;
import im.shared.bus.session.ListSessions;
import im.shared.bus.session.SessionCommand;
import im.shared.bus.session.TokensRevoked;
import im.shared.auth.AccessTokens;
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
 * {@link KickUser} is the operators' kick of a user, answered with how many connections were kicked. It also hears
 * every {@link TokensRevoked} of the cluster ({@link Addresses#TOKENS_REVOKED}): the node's token check learns of
 * it, and the connections those tokens opened are kicked ({@code logout}, {@code closed}).
 *
 * <p>Threading: commands run on the verticle's context; the kicks hop onto each connection's own.
 */
public final class SessionVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SessionVerticle.class);

  private final String nodeId;
  private final LocalSessions sessions;
  private final AccessTokens tokens;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> revocations;

  public SessionVerticle(String nodeId, LocalSessions sessions, AccessTokens tokens) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.tokens = tokens;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeSessions(nodeId), this::onCommand);
    revocations = vertx.eventBus().consumer(Addresses.TOKENS_REVOKED, this::onRevoked);
    return Future.all(consumer.completion(), revocations.completion());
  }

  private void onRevoked(Message<JsonObject> message) {
    TokensRevoked event = TokensRevoked.fromJson(message.body());
    tokens.apply(event);
    int kicked = sessions.kickRevoked(event);
    if (kicked > 0) {
      LOG.info("kicked {} connections of {}: {}", kicked, event.uid(), event.kickReason());
    }
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
