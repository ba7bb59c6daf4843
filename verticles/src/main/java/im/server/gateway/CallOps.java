package im.server.gateway;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.Validation;
import im.shared.bus.message.CallCommand;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client's {@code call} frames (docs/protocol.md §3, Calls): checked here, then handed to the conversation's
 * owner, which keeps the call and relays each step to the other side's devices. Call frames share the connection's
 * send budget, so a flood of ICE candidates is throttled like a flood of messages.
 *
 * <p>Threading: the connection's context only, like its {@link ClientSession}.
 */
final class CallOps {

  /** Call ids are caller-chosen and become part of Redis keys and of the call message's cmid. */
  private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final Set<String> MEDIA = Set.of("audio", "video");

  private final ClientSession session;
  private final GatewayServices services;
  private final TokenBucket sendRate;

  CallOps(ClientSession session, GatewayServices services, TokenBucket sendRate) {
    this.session = session;
    this.services = services;
    this.sendRate = sendRate;
  }

  void call(JsonObject body) {
    Object id = Validation.requestId(body);
    String callId = Validation.requireString(body, "callId");
    if (!CALL_ID.matcher(callId).matches()) {
      throw ImException.badRequest("callId must be 1 to 64 characters of A-Z a-z 0-9 _ . : -");
    }
    String conv = ClientSession.requireConv(Validation.optionalString(body, "conv"));
    if (Conv.typeOf(conv) != Conv.Type.P2P) {
      throw ImException.notMember("calls are one-to-one: conv must be a p: conversation");
    }
    String action = Validation.requireString(body, "action");
    if (!CallCommand.CLIENT_ACTIONS.contains(action)) {
      throw ImException.badRequest("action must be one of " + String.join(", ", CallCommand.CLIENT_ACTIONS.stream().sorted().toList()));
    }
    if (!sendRate.tryTake(System.nanoTime())) {
      throw new ImException(ErrorCode.RATE_LIMITED, "too many frames; retry later");
    }
    CallCommand command = new CallCommand(conv, callId, action, session.uid(), session.device(), session.connId(),
        payload(action, body));
    session.reply(id, services.messages().call(command));
  }

  /** The fields an action carries besides the envelope: relayed as they are. */
  private static JsonObject payload(String action, JsonObject body) {
    return switch (action) {
      case CallCommand.INVITE -> {
        String media = Validation.requireString(body, "media");
        if (!MEDIA.contains(media)) {
          throw ImException.badRequest("media must be audio or video");
        }
        yield new JsonObject().put("media", media);
      }
      case CallCommand.SDP -> new JsonObject().put("sdp", required(body, "sdp"));
      case CallCommand.ICE -> new JsonObject().put("candidate", required(body, "candidate"));
      default -> new JsonObject();
    };
  }

  /** A session description or ICE candidate: a string or an object, as the client's WebRTC stack produced it. */
  private static Object required(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String) && !(value instanceof JsonObject)) {
      throw ImException.badRequest(field + " must be a string or an object");
    }
    Validation.maxDepth(field, value, MessageKinds.MAX_BODY_DEPTH);
    Validation.storableJson(field, value);
    return value;
  }
}
