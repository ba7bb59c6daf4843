package im.shared.message;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The conversation-mutating commands, each executed by the conversation's owner (ARCHITECTURE,
 * owner routing). Failures are {@code ImException}s.
 */
public interface MessageService {

  /**
   * @param command {@link im.shared.bus.Events#send} with the sender's uid, device and connection id;
   *                {@code kind}/{@code body} already validated
   * @return once durable, the ack body {@code {cmid, conv, seq, mid, ts}}; the same for a retried cmid
   */
  Future<JsonObject> send(JsonObject command);

  /** Recalls message {@code seq} of {@code conv} by {@code uid}; every member's devices get {@code recalled}. */
  Future<Void> recall(String uid, String conv, long seq, String connId);

  /**
   * Any other owner command of {@link im.shared.bus.Events} ({@code group}, {@code typing}, {@code room}), carried
   * to the owner of its {@code conv}; completes with the owner's reply.
   */
  default Future<JsonObject> command(JsonObject command) {
    return Future.failedFuture(im.protocol.ImException.badRequest("command " + command.getString("type") + " is not supported"));
  }
}
