package im.server.gateway;

import im.shared.bus.message.SendCommand;
import im.shared.bus.message.RecallCommand;
import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.MessageRefs;
import im.protocol.Op;
import im.protocol.Validation;
import im.server.session.OutboundFrame;
import io.vertx.core.json.JsonObject;

/**
 * The request ops of a signed-in connection that other services answer (docs/protocol.md §3): {@code send}
 * (under the connection's send budget, which {@code presence} changes, {@code read} and {@code join} share), {@code recv}, {@code read},
 * {@code recall} and {@code presence}. Invalid requests throw {@link ImException}, which the session answers.
 *
 * <p>Threading: the connection's context only, like its {@link ClientSession}.
 */
final class RequestOps {

  private final ClientSession session;
  private final GatewayServices services;
  private final Downlink downlink;
  private final RoomsAndTyping rooms;
  private final TokenBucket sendRate;

  RequestOps(ClientSession session, GatewayServices services, Downlink downlink, RoomsAndTyping rooms,
             TokenBucket sendRate) {
    this.session = session;
    this.services = services;
    this.downlink = downlink;
    this.rooms = rooms;
    this.sendRate = sendRate;
  }

  void send(JsonObject body, long arrivalNanos) {
    Object id = Validation.requestId(body);
    String cmid = Validation.cmid(Validation.optionalString(body, "cmid"));
    String conv = sendTarget(body);
    String kind = Validation.requireString(body, "kind");
    Object content = body.getValue("body");
    if (!(content instanceof JsonObject message)) {
      throw ImException.badRequest("body must be a JSON object");
    }
    MessageKinds.validate(kind, message);
    MessageRefs refs = MessageRefs.of(body);
    if (Conv.typeOf(conv) == Conv.Type.ROOM && !rooms.joined(conv)) {
      throw ImException.notMember("join the room before sending to it");
    }
    if (!sendRate.tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many sends; retry later with the same cmid");
    }
    SendCommand command = new SendCommand(conv, session.uid(), session.device(), session.connId(), cmid, kind, message, refs);
    session.reply(id, services.messages().send(command), ack -> {
      services.metrics().ackLatency(System.nanoTime() - arrivalNanos);
      downlink.write(new OutboundFrame(Op.ACK, ack.toFrameBody(id)));
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
      if (to.equals(session.uid())) {
        throw ImException.badRequest("cannot send to yourself");
      }
      return Conv.p2p(session.uid(), to);
    }
    return ClientSession.requireConv(conv);
  }

  void recv(JsonObject body) {
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    downlink.release(conv, Validation.requireSeq(body, "seq"));
  }

  void read(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    long seq = Validation.requireSeq(body, "seq");
    // A read cursor write costs a database round trip: reads share the connection's send budget.
    sendRate.take("reads");
    session.reply(id, services.reads().markRead(session.uid(), conv, seq, session.connId()));
  }

  void recall(JsonObject body) {
    Object id = Validation.requestId(body);
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    long seq = Validation.requireLong(body, "seq", 1, Long.MAX_VALUE);
    session.reply(id, services.messages().recall(new RecallCommand(conv, seq, session.uid(), session.connId())), done -> downlink.ok(id));
  }

  void presence(JsonObject body) {
    Object id = Validation.requestId(body);
    // Presence changes cost work on the user's presence owner: they share the connection's send budget.
    if (!sendRate.tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many presence changes; retry later");
    }
    session.reply(id, services.presence().set(session.uid(), Validation.requireString(body, "status")));
  }
}
