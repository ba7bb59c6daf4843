package im.shared.bus.message;

import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * {@code call}: one signaling step of a one-to-one call (docs/protocol.md §3, Calls) from {@code from}'s
 * {@code device}, for the owner of {@code conv}, which keeps the call's state; answered with {@code {}}.
 * {@code payload} holds the action's own fields ({@code media}, {@code sdp} or {@code candidate}), validated by the
 * gateway and relayed as they are.
 */
public record CallCommand(String conv, String callId, String action, String from, String device, String conn,
                          JsonObject payload) implements OwnerCommand {

  static final String TYPE_NAME = "call";

  public static final String INVITE = "invite";
  public static final String RINGING = "ringing";
  public static final String ACCEPT = "accept";
  public static final String REJECT = "reject";
  public static final String CANCEL = "cancel";
  public static final String HANGUP = "hangup";
  public static final String SDP = "sdp";
  public static final String ICE = "ice";
  /** Server to client only: another device of the callee accepted. */
  public static final String ANSWERED_ELSEWHERE = "answered_elsewhere";

  /** The actions a client may send. */
  public static final Set<String> CLIENT_ACTIONS = Set.of(INVITE, RINGING, ACCEPT, REJECT, CANCEL, HANGUP, SDP, ICE);

  @Override
  public JsonObject toJson() {
    return new JsonObject()
        .put(TYPE, TYPE_NAME)
        .put("conv", conv)
        .put("callId", callId)
        .put("action", action)
        .put("from", from)
        .put("device", device)
        .put("conn", conn)
        .put("payload", payload);
  }

  public static CallCommand fromJson(JsonObject json) {
    JsonObject payload = json.getJsonObject("payload");
    return new CallCommand(json.getString("conv"), json.getString("callId"), json.getString("action"),
        json.getString("from"), json.getString("device"), json.getString("conn"),
        payload == null ? new JsonObject() : payload);
  }
}
