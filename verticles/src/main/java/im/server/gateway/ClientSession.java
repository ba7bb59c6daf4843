package im.server.gateway;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.Validation;
import im.server.session.Connection;
import im.server.session.OutboundFrame;
import im.shared.auth.TokenClaims;
import im.shared.Ids;
import im.shared.bus.BusErrors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The protocol logic of one realtime connection, whatever its transport (docs/protocol.md §3): its state
 * machine and the dispatch of the client's ops. The handshake ({@link AuthHandshake}), the way out
 * ({@link Downlink}), the ops served by other services ({@link RequestOps}) and rooms and typing
 * ({@link RoomsAndTyping}) are its parts; transports hand it decoded frames.
 *
 * <p>Threading: lives on the context of its connection. The inbound methods are called there by the
 * transport, and so is {@link #deliver}; {@link #kick} may be called from any thread and hops onto that context.
 */
public final class ClientSession implements Connection {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

  private enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private final GatewayServices services;
  private final Context context;
  private final Transport transport;
  private final ResendWheel wheel;
  private final String connId = Ids.newId();
  private final Promise<Void> closed = Promise.promise();
  private final Downlink downlink;
  private final AuthHandshake handshake;
  private final RoomsAndTyping rooms;
  private final RequestOps requests;
  private final CallOps calls;

  private State state = State.AWAITING_AUTH;
  private boolean closing;
  /** Registered with the node's sessions (from just before the route is written until close). */
  private boolean registered;
  private volatile String uid;
  private volatile String device;
  /** Wall-clock time of sign-in: the age that the device limit compares across nodes. */
  private volatile long signedInAtMs;
  /** The token the connection signed in with: a revocation of it kicks the connection. */
  private volatile TokenClaims token;

  /** Call on the connection's context, once the transport is ready to write. */
  ClientSession(GatewayServices services, Vertx vertx, Transport transport) {
    this.services = services;
    this.context = vertx.getOrCreateContext();
    this.transport = transport;
    this.wheel = ResendWheel.of(vertx, services.realtime());
    this.downlink = new Downlink(this, transport, wheel, services.realtime());
    TokenBucket sendRate = new TokenBucket(services.realtime().sendsPerSecond(), services.realtime().sendBurst(),
        System.nanoTime());
    this.rooms = new RoomsAndTyping(this, services, downlink, services.config().groups().typingIntervalMs(), sendRate);
    this.requests = new RequestOps(this, services, downlink, rooms, sendRate);
    this.calls = new CallOps(this, services, sendRate);
    services.metrics().connectionOpened(transport.name());
    services.sessions().opened(this);
    this.handshake = new AuthHandshake(this, services, transport, downlink, wheel);
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public TokenClaims token() {
    return token;
  }

  @Override
  public long signedInAtMs() {
    return signedInAtMs;
  }

  @Override
  public String connId() {
    return connId;
  }

  @Override
  public String transport() {
    return transport.name();
  }

  @Override
  public Future<Void> closed() {
    return closed.future();
  }

  @Override
  public Context context() {
    return context;
  }

  // ---------------------------------------------------------------- inbound (connection context)

  /** A decoded frame. {@code body} may also hold the op name {@code "t"}; it is ignored. */
  void onFrame(Op op, JsonObject body, long arrivalNanos) {
    if (closing) {
      return;
    }
    switch (state) {
      case AWAITING_AUTH -> {
        if (op == Op.AUTH) {
          guarded(body, () -> handshake.authenticate(body));
        } else {
          refuse(idOrNull(body), ImException.unauthorized("the first frame must be auth"));
        }
      }
      case AUTHENTICATING -> handshake.hold(new AuthHandshake.Held(op, body, arrivalNanos));
      case OPEN -> guarded(body, () -> dispatch(op, body, arrivalNanos));
      case CLOSED -> { }
    }
  }

  /** A frame whose length was intact but whose content was not (docs/protocol.md §3): answered, connection kept. */
  void onBadFrame(String reason) {
    if (state != State.CLOSED) {
      downlink.error(null, ImException.badRequest(reason));
    }
  }

  /** A frame the connection cannot survive (too large, framing lost): answered, then closed. */
  void onFatal(ErrorCode code, String reason, CloseCode closeCode) {
    if (state != State.CLOSED && !closing) {
      downlink.error(null, new ImException(code, reason));
      close(closeCode);
    }
  }

  /** The transport's write queue has room again. */
  void onDrained() {
    downlink.drained();
  }

  /** The socket is gone, whoever closed it: release everything the connection held. */
  void onClosed() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    downlink.release();
    handshake.release();
    services.metrics().connectionClosed(transport.name());
    services.sessions().closed(this);
    services.sessions().left(transport.remoteAddress());
    rooms.leaveAll();
    if (registered) {
      services.sessions().unregister(this);
      LOG.debug("closed {} session {} of {} device {}", transport.name(), connId, uid, device);
    }
    closed.tryComplete();
  }

  // ---------------------------------------------------------------- outbound

  @Override
  public void deliver(OutboundFrame frame) {
    if (state == State.OPEN && !closing) {
      downlink.deliver(frame);
    }
  }

  @Override
  public void kick(String reason) {
    context.runOnContext(v -> {
      if (state == State.CLOSED || closing) {
        return;
      }
      LOG.info("kicking {} session {} of {} device {}: {}", transport.name(), connId, uid, device, reason);
      downlink.write(new OutboundFrame(Op.KICKED, new JsonObject().put("reason", reason)));
      close("shutdown".equals(reason) ? CloseCode.GOING_AWAY : CloseCode.POLICY_VIOLATION);
    });
  }

  // ---------------------------------------------------------------- state, for the parts

  void authenticating() {
    state = State.AUTHENTICATING;
  }

  /** The token checked out: from now on the connection is its user's, and registered with the node. */
  void signIn(TokenClaims token, String device, long signedInAtMs) {
    this.token = token;
    this.uid = token.uid();
    this.device = device;
    this.signedInAtMs = signedInAtMs;
    registered = true;
  }

  /** {@code auth_ok} is being written: request ops are served from now on. */
  void opened() {
    state = State.OPEN;
  }

  boolean isAwaitingAuth() {
    return state == State.AWAITING_AUTH || state == State.AUTHENTICATING;
  }

  boolean isAuthenticating() {
    return state == State.AUTHENTICATING;
  }

  boolean isSignedIn() {
    return state == State.OPEN;
  }

  /** Signed in and not being closed: frames still go out. */
  boolean isOpen() {
    return state == State.OPEN && !closing;
  }

  /** Closed, or closing after the frames already written. */
  boolean isEnding() {
    return state == State.CLOSED || closing;
  }

  boolean isClosed() {
    return state == State.CLOSED;
  }

  /** {@code error {code}} then close at once: refused auth, or anything but auth first. */
  void refuse(Object id, ImException error) {
    if (closing) {
      return;
    }
    downlink.error(id, error);
    close(CloseCode.POLICY_VIOLATION);
  }

  void close(CloseCode code) {
    if (closing || state == State.CLOSED) {
      return;
    }
    closing = true;
    transport.close(code);
    // Vert.x closes once what was written is flushed, which a peer that does not read holds up for ever.
    wheel.schedule(this::abortUnflushed, services.realtime().writeQueueMaxFullMs());
  }

  /** Cuts the connection off at once, dropping whatever is queued for it: for a client that does not read. */
  void abort() {
    if (state == State.CLOSED) {
      return;
    }
    closing = true;
    transport.abort();
  }

  private void abortUnflushed(long nowMs) {
    if (state != State.CLOSED) {
      LOG.info("cutting off {} session {} of {}: its close waited {} ms for a flush", transport.name(), connId, uid,
          services.realtime().writeQueueMaxFullMs());
      transport.abort();
    }
  }

  /**
   * Answers a request op whose result is a future, on this connection's context: {@code error {id, code}} if it
   * failed, else what {@code succeeded} writes.
   */
  <T> void reply(Object id, Future<T> result, Consumer<T> succeeded) {
    onContext(result).onComplete(done -> {
      if (done.failed()) {
        downlink.error(id, BusErrors.toImException(done.cause()));
      } else {
        succeeded.accept(done.result());
      }
    });
  }

  /** {@link #reply(Object, Future, Consumer)} with {@code ok {id}}, written only if the client gave an id. */
  void reply(Object id, Future<?> result) {
    reply(id, result, done -> downlink.okIfAsked(id));
  }

  // ---------------------------------------------------------------- request ops

  private void dispatch(Op op, JsonObject body, long arrivalNanos) {
    switch (op) {
      case PING -> ping(body);
      case SEND -> requests.send(body, arrivalNanos);
      case RECV -> requests.recv(body);
      case READ -> requests.read(body);
      case RECALL -> requests.recall(body);
      case AUTH -> throw ImException.badRequest("already authenticated");
      case PRESENCE -> requests.presence(body);
      case TYPING -> rooms.typing(body);
      case JOIN -> rooms.join(body);
      case LEAVE -> rooms.leave(body);
      case CALL -> calls.call(body);
      default -> throw ImException.badRequest(op.wireName() + " is not a client op");
    }
  }

  private void ping(JsonObject body) {
    downlink.write(new OutboundFrame(Op.PONG, Downlink.withId(new JsonObject(), Validation.requestId(body))));
  }

  static String requireConv(String conv) {
    if (conv == null) {
      throw ImException.badRequest("conv is required");
    }
    if (Conv.typeOf(conv) == null) {
      throw ImException.badRequest("conv is not a conversation id");
    }
    return conv;
  }

  /** Runs an op; its ImException becomes an error reply, anything else {@code internal} and a log line. */
  private void guarded(JsonObject body, Runnable op) {
    try {
      op.run();
    } catch (ImException e) {
      downlink.error(idOrNull(body), e);
    } catch (RuntimeException e) {
      LOG.error("{} session {} of {}: op failed", transport.name(), connId, uid, e);
      downlink.error(idOrNull(body), ImException.of(e));
    }
  }

  private static Object idOrNull(JsonObject body) {
    Object id = body.getValue("id");
    return id instanceof String || id instanceof Number ? id : null;
  }
}
