package im.server.gateway;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.Op;
import im.protocol.Validation;
import im.shared.Ids;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.Events;
import im.shared.bus.message.RecallCommand;
import im.shared.bus.message.SendCommand;
import im.shared.bus.message.TypingCommand;
import im.shared.config.ImConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The protocol logic of one realtime connection, whatever its transport (PROTOCOL §3): the {@code auth}
 * handshake, the request ops and their replies, the downlink with its re-send window, the send rate
 * limit and the slow-consumer cut-off. Transports hand it decoded frames.
 *
 * <p>Threading: lives on the context of its connection. The inbound methods are called there by the
 * transport; {@link #deliver} and {@link #kick} may be called from any thread and hop onto that context.
 */
public final class ClientSession {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  /** Frames pipelined behind {@code auth} wait for its answer; past this many the client is misbehaving. */
  private static final int MAX_FRAMES_DURING_AUTH = 32;
  /** Rooms one connection may be in at once: bounds what one client can make every node keep. */
  private static final int MAX_ROOMS = 100;
  /** Past this many conversations with a typing mark, expired marks are dropped. */
  private static final int MAX_TYPING_CONVS = 64;

  private enum State { AWAITING_AUTH, AUTHENTICATING, OPEN, CLOSED }

  private record Inbound(Op op, JsonObject body, long arrivalNanos) {}

  private final GatewayServices services;
  private final ImConfig.Realtime realtime;
  private final Context context;
  private final ResendWheel wheel;
  private final Transport transport;
  private final String connId = Ids.newId();
  private final Promise<Void> closed = Promise.promise();
  private final TokenBucket sendRate;
  private final long typingIntervalMs;

  private State state = State.AWAITING_AUTH;
  private boolean closing;
  /** In {@link LocalSessions} (from just before the route is written until close). */
  private boolean registered;
  private volatile String uid;
  private volatile String device;
  /** Wall-clock time of sign-in: the age that the device limit compares across nodes. */
  private volatile long signedInAtMs;
  private ArrayDeque<Inbound> heldDuringAuth;
  private ResendWindow window;
  private boolean resendScheduled;
  /** When the write queue was first seen full, or 0 while it drains. */
  private long fullSinceMs;
  /** The chat rooms this connection has joined; null until the first join. */
  private Set<String> rooms;
  /** conv → when this connection's last {@code typing} there was forwarded; null until the first. */
  private Map<String, Long> typingSentMs;

  /** Call on the connection's context, once the transport is ready to write. */
  ClientSession(GatewayServices services, Vertx vertx, Transport transport) {
    this.services = services;
    this.realtime = services.realtime();
    this.context = vertx.getOrCreateContext();
    this.wheel = ResendWheel.of(vertx, realtime);
    this.transport = transport;
    this.sendRate = new TokenBucket(realtime.sendsPerSecond(), realtime.sendBurst(), System.nanoTime());
    this.typingIntervalMs = services.config().groups().typingIntervalMs();
    services.metrics().connectionOpened(transport.name());
    services.sessions().opened(this);
    wheel.schedule(now -> authDeadline(), realtime.authTimeoutMs());
  }

  /** The authenticated user; null before {@code auth_ok}. */
  public String uid() {
    return uid;
  }

  public String device() {
    return device;
  }

  /** When {@code auth} succeeded (ms since the epoch); 0 before. */
  public long signedInAtMs() {
    return signedInAtMs;
  }

  /** The connection id a send carries, so that fan-out can skip the sending connection. */
  public String connId() {
    return connId;
  }

  /** {@code "ws"} or {@code "tcp"}. */
  public String transport() {
    return transport.name();
  }

  /** Completes once the connection is closed and its routes and window are released. */
  public Future<Void> closed() {
    return closed.future();
  }

  Context context() {
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
          guarded(body, () -> authenticate(body));
        } else {
          refuse(idOrNull(body), ImException.unauthorized("the first frame must be auth"));
        }
      }
      case AUTHENTICATING -> holdDuringAuth(new Inbound(op, body, arrivalNanos));
      case OPEN -> guarded(body, () -> dispatch(op, body, arrivalNanos));
      case CLOSED -> { }
    }
  }

  /** A frame whose length was intact but whose content was not (PROTOCOL §3): answered, connection kept. */
  void onBadFrame(String reason) {
    if (state != State.CLOSED) {
      writeError(null, ImException.badRequest(reason));
    }
  }

  /** A frame the connection cannot survive (too large, framing lost): answered, then closed. */
  void onFatal(ErrorCode code, String reason, CloseCode closeCode) {
    if (state != State.CLOSED && !closing) {
      writeError(null, new ImException(code, reason));
      close(closeCode);
    }
  }

  /** The transport's write queue has room again. */
  void onDrained() {
    fullSinceMs = 0;
  }

  /** The socket is gone, whoever closed it: release everything the connection held. */
  void onClosed() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    window = null;
    heldDuringAuth = null;
    services.metrics().connectionClosed(transport.name());
    services.sessions().closed(this);
    leaveAllRooms();
    if (registered) {
      if (services.sessions().unregister(this)) {
        services.routes().remove(uid, services.nodeId(), device)
            .onFailure(e -> LOG.warn("route of {} device {} not removed: {}", uid, device, e.getMessage()))
            .onComplete(removed -> services.presence().disconnected(uid));
      }
      LOG.debug("closed {} session {} of {} device {}", transport.name(), connId, uid, device);
    }
    closed.tryComplete();
  }

  // ---------------------------------------------------------------- outbound (any thread)

  /** Writes a frame of the node's fan-out; {@code msg} frames are kept for re-sending until {@code recv}. */
  void deliver(OutboundFrame frame) {
    if (Vertx.currentContext() == context) {
      deliverHere(frame);
    } else {
      context.runOnContext(v -> deliverHere(frame));
    }
  }

  /** Sends {@code kicked {reason}} and closes: replaced, device_limit, admin, shutdown. */
  public void kick(String reason) {
    context.runOnContext(v -> {
      if (state == State.CLOSED || closing) {
        return;
      }
      LOG.info("kicking {} session {} of {} device {}: {}", transport.name(), connId, uid, device, reason);
      write(new OutboundFrame(Op.KICKED, new JsonObject().put("reason", reason)));
      close("shutdown".equals(reason) ? CloseCode.GOING_AWAY : CloseCode.POLICY_VIOLATION);
    });
  }

  void deliverHere(OutboundFrame frame) {
    if (state != State.OPEN || closing) {
      return;
    }
    write(frame);
    if (frame.op() == Op.MSG && realtime.maxResends() > 0) {
      track(frame);
    }
  }

  // ---------------------------------------------------------------- auth

  private void authenticate(JsonObject body) {
    Object id = Validation.requestId(body);
    String device = Validation.device(Validation.optionalString(body, "device"));
    Validation.platform(Validation.optionalString(body, "platform"));
    Object token = body.getValue("token");
    if (!(token instanceof String tokenText) || tokenText.isEmpty()) {
      refuse(id, ImException.unauthorized("token is required"));
      return;
    }
    state = State.AUTHENTICATING;
    transport.pause();
    here(services.tokens().verify(tokenText)).onComplete(verified -> {
      if (state != State.AUTHENTICATING) {
        return;
      }
      if (verified.failed()) {
        ImException refusal = ImException.of(verified.cause());
        refuse(id, refusal.code() == ErrorCode.UNAVAILABLE ? refusal : ImException.unauthorized("auth refused"));
      } else if (services.sessions().draining()) {
        refuse(id, ImException.unavailable("this node is shutting down; connect to another"));
      } else {
        register(verified.result(), device, id);
      }
    });
  }

  /** {@code id} is the request id of {@code auth}, echoed in its reply like any request's (PROTOCOL §3). */
  private void register(String uid, String device, Object id) {
    this.uid = uid;
    this.device = device;
    this.signedInAtMs = System.currentTimeMillis();
    services.sessions().register(this);
    registered = true;
    // Online before auth_ok: a message sent to this user right after auth_ok must find the route.
    here(services.routes().add(uid, services.nodeId(), device)).onComplete(added -> {
      if (state == State.CLOSED) {
        // Closed while the route was being written: the removal may have run first, so repeat it.
        if (added.succeeded() && services.sessions().sessionsOf(uid).stream().noneMatch(s -> s.device().equals(device))) {
          services.routes().remove(uid, services.nodeId(), device);
        }
        return;
      }
      if (added.failed()) {
        LOG.warn("route of {} not written: {}", uid, added.cause().getMessage());
        refuse(id, ImException.unavailable("sessions are unavailable; retry"));
        return;
      }
      state = State.OPEN;
      LOG.debug("auth {} session {} of {} device {}", transport.name(), connId, uid, device);
      write(new OutboundFrame(Op.AUTH_OK, withId(new JsonObject(), id)
          .put("uid", uid)
          .put("device", device)
          .put("node", services.nodeId())
          .put("serverTime", System.currentTimeMillis())
          .put("heartbeatMs", realtime.heartbeatMs())));
      services.presence().connected(uid);
      transport.resume();
      services.sessions().signedIn(this);
      replayHeldFrames();
    });
  }

  private void holdDuringAuth(Inbound frame) {
    if (heldDuringAuth == null) {
      heldDuringAuth = new ArrayDeque<>();
    }
    if (heldDuringAuth.size() >= MAX_FRAMES_DURING_AUTH) {
      onFatal(ErrorCode.BAD_REQUEST, "too many frames before auth_ok", CloseCode.POLICY_VIOLATION);
      return;
    }
    heldDuringAuth.addLast(frame);
  }

  private void replayHeldFrames() {
    ArrayDeque<Inbound> held = heldDuringAuth;
    heldDuringAuth = null;
    if (held != null) {
      held.forEach(frame -> onFrame(frame.op(), frame.body(), frame.arrivalNanos()));
    }
  }

  private void authDeadline() {
    if (state == State.AWAITING_AUTH || state == State.AUTHENTICATING) {
      LOG.debug("{} connection {} sent no auth in time", transport.name(), connId);
      refuse(null, ImException.unauthorized("no auth within " + realtime.authTimeoutMs() + " ms"));
    }
  }

  /** {@code error {code}} then close at once: refused auth, or anything but auth first. */
  private void refuse(Object id, ImException error) {
    if (closing) {
      return;
    }
    writeError(id, error);
    close(CloseCode.POLICY_VIOLATION);
  }

  // ---------------------------------------------------------------- request ops

  private void dispatch(Op op, JsonObject body, long arrivalNanos) {
    switch (op) {
      case PING -> ping(body);
      case SEND -> send(body, arrivalNanos);
      case RECV -> recv(body);
      case READ -> read(body);
      case RECALL -> recall(body);
      case AUTH -> throw ImException.badRequest("already authenticated");
      case PRESENCE -> presence(body);
      case TYPING -> typing(body);
      case JOIN -> join(body);
      case LEAVE -> leave(body);
      default -> throw ImException.badRequest(op.wireName() + " is not a client op");
    }
  }

  private void ping(JsonObject body) {
    write(new OutboundFrame(Op.PONG, withId(new JsonObject(), Validation.requestId(body))));
  }

  private void send(JsonObject body, long arrivalNanos) {
    Object id = Validation.requestId(body);
    String cmid = Validation.cmid(Validation.optionalString(body, "cmid"));
    String conv = sendTarget(body);
    String kind = Validation.requireString(body, "kind");
    Object content = body.getValue("body");
    if (!(content instanceof JsonObject message)) {
      throw ImException.badRequest("body must be a JSON object");
    }
    MessageKinds.validate(kind, message);
    if (Conv.typeOf(conv) == Conv.Type.ROOM && (rooms == null || !rooms.contains(conv))) {
      throw ImException.notMember("join the room before sending to it");
    }
    if (!sendRate.tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many sends; retry later with the same cmid");
    }
    here(services.messages().send(new SendCommand(conv, uid, device, connId, cmid, kind, message)))
        .onComplete(acked -> {
          if (acked.succeeded()) {
            services.metrics().ackLatency(System.nanoTime() - arrivalNanos);
            write(new OutboundFrame(Op.ACK, acked.result().toFrameBody(id)));
          } else {
            writeError(id, BusErrors.toImException(acked.cause()));
          }
        });
  }

  /** Exactly one of {@code conv} and {@code to}; {@code to} names the one-to-one conversation with that user. */
  private String sendTarget(JsonObject body) {
    String conv = Validation.optionalString(body, "conv");
    String to = Validation.optionalString(body, "to");
    if ((conv == null) == (to == null)) {
      throw ImException.badRequest("exactly one of conv and to is required");
    }
    if (to != null) {
      if (to.isEmpty() || to.indexOf(':') >= 0) {
        throw ImException.badRequest("to must be a uid");
      }
      if (to.equals(uid)) {
        throw ImException.badRequest("cannot send to yourself");
      }
      return Conv.p2p(uid, to);
    }
    return requireConv(conv);
  }

  private void recv(JsonObject body) {
    String conv = requireConv(Validation.optionalString(body, "conv"));
    long seq = Validation.requireSeq(body, "seq");
    if (window != null) {
      window.release(conv, seq);
    }
  }

  private void read(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireConv(Validation.optionalString(body, "conv"));
    long seq = Validation.requireSeq(body, "seq");
    here(services.reads().markRead(uid, conv, seq, connId)).onComplete(done -> {
      if (done.failed()) {
        writeError(id, BusErrors.toImException(done.cause()));
      } else if (id != null) {
        write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
      }
    });
  }

  private void recall(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireConv(Validation.optionalString(body, "conv"));
    long seq = Validation.requireLong(body, "seq", 1, Long.MAX_VALUE);
    here(services.messages().recall(new RecallCommand(conv, seq, uid, connId))).onComplete(done -> {
      if (done.failed()) {
        writeError(id, BusErrors.toImException(done.cause()));
      } else {
        write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
      }
    });
  }

  private void presence(JsonObject body) {
    Object id = Validation.requestId(body);
    // Presence changes cost work on the user's presence owner: they share the connection's send budget.
    if (!sendRate.tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many presence changes; retry later");
    }
    here(services.presence().set(uid, Validation.requireString(body, "status"))).onComplete(done -> {
      if (done.failed()) {
        writeError(id, BusErrors.toImException(done.cause()));
      } else if (id != null) {
        write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
      }
    });
  }

  /** Enters a chat room: its messages reach this connection until {@code leave} or close. */
  private void join(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireRoom(body);
    here(services.messages().requireRoom(conv)).onComplete(found -> {
      if (found.failed()) {
        writeError(id, BusErrors.toImException(found.cause()));
        return;
      }
      if (state != State.OPEN) {
        return;
      }
      if (rooms == null) {
        rooms = new HashSet<>(4);
      }
      if (rooms.size() >= MAX_ROOMS && !rooms.contains(conv)) {
        writeError(id, new ImException(ErrorCode.CONFLICT, "a connection joins at most " + MAX_ROOMS + " rooms"));
        return;
      }
      rooms.add(conv);
      services.sessions().rooms().join(conv, this);
      write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
    });
  }

  private void leave(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireRoom(body);
    if (rooms != null && rooms.remove(conv)) {
      services.sessions().rooms().leave(conv, this);
    }
    write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
  }

  private void leaveAllRooms() {
    if (rooms != null) {
      rooms.forEach(conv -> services.sessions().rooms().leave(conv, this));
      rooms = null;
    }
  }

  private static String requireRoom(JsonObject body) {
    String conv = requireConv(Validation.optionalString(body, "conv"));
    if (Conv.typeOf(conv) != Conv.Type.ROOM) {
      throw ImException.badRequest("join and leave are for chat rooms (r:) only");
    }
    return conv;
  }

  /**
   * Tells the others in {@code conv} that this user is typing: room typing goes straight to every node, the
   * rest through the conversation's owner, which knows the members. At most one per
   * {@code typing.minIntervalMs} per conversation is forwarded; faster ones are dropped without a word.
   */
  private void typing(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = requireConv(Validation.optionalString(body, "conv"));
    boolean room = Conv.typeOf(conv) == Conv.Type.ROOM;
    if (room && (rooms == null || !rooms.contains(conv))) {
      throw ImException.notMember("join the room first");
    }
    if (!typingAllowed(conv)) {
      replyOk(id);
      return;
    }
    JsonObject typing = new JsonObject().put("conv", conv).put("uid", uid);
    if (room) {
      JsonObject item = new JsonObject().put(Events.CONV, conv).put(Events.SKIP_UID, uid)
          .put(Events.OP, Op.TYPING.wireName()).put(Events.BODY, typing);
      context.owner().eventBus().publish(Addresses.ROOMS_DELIVER, Events.deliver(new JsonArray().add(item)));
      replyOk(id);
      return;
    }
    here(services.messages().typing(new TypingCommand(conv, uid, connId))).onComplete(done -> {
      if (done.failed()) {
        writeError(id, BusErrors.toImException(done.cause()));
      } else {
        replyOk(id);
      }
    });
  }

  private boolean typingAllowed(String conv) {
    long now = ResendWheel.nowMs();
    if (typingSentMs == null) {
      typingSentMs = new HashMap<>(4);
    } else if (typingSentMs.size() > MAX_TYPING_CONVS) {
      typingSentMs.values().removeIf(sent -> now - sent >= typingIntervalMs);
    }
    Long last = typingSentMs.get(conv);
    if (last != null && now - last < typingIntervalMs) {
      return false;
    }
    typingSentMs.put(conv, now);
    return true;
  }

  private void replyOk(Object id) {
    if (id != null) {
      write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
    }
  }

  private static String requireConv(String conv) {
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
      writeError(idOrNull(body), e);
    } catch (RuntimeException e) {
      LOG.error("{} session {} of {}: op failed", transport.name(), connId, uid, e);
      writeError(idOrNull(body), ImException.of(e));
    }
  }

  private static Object idOrNull(JsonObject body) {
    Object id = body.getValue("id");
    return id instanceof String || id instanceof Number ? id : null;
  }

  // ---------------------------------------------------------------- downlink

  private void track(OutboundFrame frame) {
    String conv = frame.body().getString("conv");
    Object seq = frame.body().getValue("seq");
    if (conv == null || !(seq instanceof Number number)) {
      return;
    }
    if (window == null) {
      window = new ResendWindow(realtime.resendWindow(), realtime.resendIntervalMs(), realtime.maxResends());
    }
    window.track(conv, number.longValue(), frame, ResendWheel.nowMs());
    scheduleResend();
  }

  private void scheduleResend() {
    if (!resendScheduled && window != null && !window.isEmpty()) {
      resendScheduled = true;
      wheel.schedule(this::resendDue, window.nextDueMs() - ResendWheel.nowMs());
    }
  }

  private void resendDue(long nowMs) {
    resendScheduled = false;
    if (state != State.OPEN || closing || window == null) {
      return;
    }
    // A full queue would only grow with re-sends: wait for it to drain (or for the cut-off).
    if (!transport.writeQueueFull()) {
      window.resendDue(nowMs, this::write);
    }
    if (window.isEmpty()) {
      window = null;
    } else {
      resendScheduled = true;
      wheel.schedule(this::resendDue, Math.max(window.nextDueMs() - nowMs, 1));
    }
  }

  private void write(OutboundFrame frame) {
    transport.write(frame);
    if (fullSinceMs == 0 && transport.writeQueueFull()) {
      fullSinceMs = ResendWheel.nowMs();
      wheel.schedule(this::checkSlowConsumer, realtime.writeQueueMaxFullMs());
    }
  }

  /** A client that has not read for writeQueueMaxFullMs is cut off; it syncs when it reconnects. */
  private void checkSlowConsumer(long nowMs) {
    if (fullSinceMs == 0 || state == State.CLOSED || closing) {
      return;
    }
    long fullFor = nowMs - fullSinceMs;
    if (fullFor >= realtime.writeQueueMaxFullMs()) {
      LOG.info("closing slow {} session {} of {}: write queue full for {} ms", transport.name(), connId, uid, fullFor);
      close(CloseCode.TRY_AGAIN_LATER);
    } else {
      wheel.schedule(this::checkSlowConsumer, realtime.writeQueueMaxFullMs() - fullFor);
    }
  }

  private void writeError(Object id, ImException error) {
    JsonObject body = withId(new JsonObject(), id);
    body.put("code", error.code().wireName()).put("message", error.getMessage());
    write(new OutboundFrame(Op.ERROR, body));
  }

  private void close(CloseCode code) {
    if (closing || state == State.CLOSED) {
      return;
    }
    closing = true;
    transport.close(code);
  }

  private static JsonObject withId(JsonObject body, Object id) {
    return id == null ? body : body.put("id", id);
  }

  /** Continues on this connection's context whatever thread completes {@code future}. */
  private <T> Future<T> here(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> {
      if (Vertx.currentContext() == context) {
        promise.handle(result);
      } else {
        context.runOnContext(v -> promise.handle(result));
      }
    });
    return promise.future();
  }
}
