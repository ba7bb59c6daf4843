package im.server.gateway;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.Validation;
import im.server.session.OutboundFrame;
import im.shared.auth.TokenClaims;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * The {@code auth} handshake of one connection (docs/protocol.md §3): checks the token, holds the frames
 * pipelined behind {@code auth} until it is answered, registers the session (which writes its route) and only
 * then answers {@code auth_ok}; a connection that sends no {@code auth} in time is refused.
 *
 * <p>Threading: the connection's context only, like its {@link ClientSession}.
 */
final class AuthHandshake {

  private static final Logger LOG = LoggerFactory.getLogger(AuthHandshake.class);
  /** Frames pipelined behind {@code auth} wait for its answer; past this many the client is misbehaving. */
  private static final int MAX_FRAMES_DURING_AUTH = 32;

  record Held(Op op, JsonObject body, long arrivalNanos) {}

  private final ClientSession session;
  private final GatewayServices services;
  private final Transport transport;
  private final Downlink downlink;
  private ArrayDeque<Held> held;

  AuthHandshake(ClientSession session, GatewayServices services, Transport transport, Downlink downlink,
                ResendWheel wheel) {
    this.session = session;
    this.services = services;
    this.transport = transport;
    this.downlink = downlink;
    wheel.schedule(now -> deadline(), services.realtime().authTimeoutMs());
  }

  /** {@code auth} while awaiting it: reads stop until the token is checked. */
  void authenticate(JsonObject body) {
    Object id = Validation.requestId(body);
    String device = Validation.device(Validation.optionalString(body, "device"));
    Validation.platform(Validation.optionalString(body, "platform"));
    Object token = body.getValue("token");
    if (!(token instanceof String tokenText) || tokenText.isEmpty()) {
      session.refuse(id, ImException.unauthorized("token is required"));
      return;
    }
    session.authenticating();
    transport.pause();
    session.onContext(services.tokens().claims(tokenText)).onComplete(verified -> {
      if (!session.isAuthenticating()) {
        return;
      }
      if (verified.failed()) {
        ImException refusal = ImException.of(verified.cause());
        session.refuse(id, refusal.code() == ErrorCode.UNAVAILABLE ? refusal : ImException.unauthorized("auth refused"));
      } else if (services.sessions().draining()) {
        session.refuse(id, ImException.unavailable("this node is shutting down; connect to another"));
      } else {
        register(verified.result(), device, id);
      }
    });
  }

  /** A frame that arrived while {@code auth} was being checked. */
  void hold(Held frame) {
    if (held == null) {
      held = new ArrayDeque<>();
    }
    if (held.size() >= MAX_FRAMES_DURING_AUTH) {
      session.onFatal(ErrorCode.BAD_REQUEST, "too many frames before auth_ok", CloseCode.POLICY_VIOLATION);
      return;
    }
    held.addLast(frame);
  }

  /** The connection closed: the held frames will never be answered. */
  void release() {
    held = null;
  }

  /** {@code id} is the request id of {@code auth}, echoed in its reply like any request's (docs/protocol.md §3). */
  private void register(TokenClaims token, String device, Object id) {
    String uid = token.uid();
    session.signIn(token, device, System.currentTimeMillis());
    services.sessions().register(session).onComplete(added -> {
      if (session.isClosed()) {
        return;
      }
      // A revocation that reached this node while the session was not yet registered kicked nothing: refuse now.
      if (added.succeeded() && !services.tokens().stillValid(token)) {
        session.refuse(id, ImException.unauthorized("auth refused"));
        return;
      }
      if (added.failed()) {
        LOG.warn("route of {} not written: {}", uid, added.cause().getMessage());
        session.refuse(id, ImException.unavailable("sessions are unavailable; retry"));
        return;
      }
      session.opened();
      LOG.debug("auth {} session {} of {} device {}", transport.name(), session.connId(), uid, device);
      downlink.write(new OutboundFrame(Op.AUTH_OK, Downlink.withId(new JsonObject(), id)
          .put("uid", uid)
          .put("device", device)
          .put("node", services.nodeId())
          .put("serverTime", System.currentTimeMillis())
          .put("heartbeatMs", services.realtime().heartbeatMs())));
      transport.resume();
      services.sessions().signedIn(session);
      replayHeld();
    });
  }

  private void replayHeld() {
    ArrayDeque<Held> frames = held;
    held = null;
    if (frames != null) {
      frames.forEach(frame -> session.onFrame(frame.op(), frame.body(), frame.arrivalNanos()));
    }
  }

  private void deadline() {
    if (session.isAwaitingAuth()) {
      LOG.debug("{} connection {} sent no auth in time", transport.name(), session.connId());
      session.refuse(null, ImException.unauthorized("no auth within " + services.realtime().authTimeoutMs() + " ms"));
    }
  }
}
