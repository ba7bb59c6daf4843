package im.server.call;

import io.vertx.core.json.JsonObject;

/**
 * One call as its owner keeps it: who calls whom from which devices, and how far it got. Only the owner's context
 * touches it; {@link CallStore} keeps a copy in Redis for the owner that comes next.
 */
final class CallState {

  enum Result {
    COMPLETED, MISSED, REJECTED, CANCELLED;

    String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Result of(String wireName) {
      for (Result result : values()) {
        if (result.wireName().equals(wireName)) {
          return result;
        }
      }
      return null;
    }
  }

  final String conv;
  final String callId;
  final String caller;
  final String callerDevice;
  final String callee;
  final String media;
  final long invitedAtMs;
  /** The callee's device that accepted; null while ringing. */
  String calleeDevice;
  long acceptedAtMs;
  /** Set once, when the call ends. */
  Result result;
  /** The ring timer of a ringing call on this owner; -1 when none. */
  long ringTimer = -1;

  CallState(String conv, String callId, String caller, String callerDevice, String callee, String media,
            long invitedAtMs) {
    this.conv = conv;
    this.callId = callId;
    this.caller = caller;
    this.callerDevice = callerDevice;
    this.callee = callee;
    this.media = media;
    this.invitedAtMs = invitedAtMs;
  }

  /** How the owner finds a call: a call id is unique within its conversation. */
  static String key(String conv, String callId) {
    return conv + " " + callId;
  }

  String key() {
    return key(conv, callId);
  }

  boolean accepted() {
    return calleeDevice != null;
  }

  boolean ended() {
    return result != null;
  }

  /** The {@code call} message's body (docs/protocol.md §3, Message kinds). */
  JsonObject messageBody(long endedAtMs) {
    long duration = result == Result.COMPLETED ? Math.max(0, endedAtMs - acceptedAtMs) : 0;
    return new JsonObject().put("callId", callId).put("media", media).put("result", result.wireName())
        .put("durationMs", duration);
  }

  /**
   * The cmid of the {@code call} message: derived from the call, so that however many times and wherever the call
   * is ended, the (sender, cmid) idempotency of {@code send} stores one message.
   */
  String messageCmid() {
    return "call:" + conv + ":" + callId;
  }
}
