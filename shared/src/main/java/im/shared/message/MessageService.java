package im.shared.message;

import im.shared.bus.message.Ack;
import im.shared.bus.message.CallCommand;
import im.shared.bus.message.GroupCommand;
import im.shared.bus.message.RecallCommand;
import im.shared.bus.message.SendCommand;
import im.shared.bus.message.TypingCommand;
import io.vertx.core.Future;

/**
 * The conversation-mutating commands, each executed by the conversation's owner (docs/architecture.md, Ownership
 * and routing). Failures are {@code ImException}s. Futures may complete on any thread.
 */
public interface MessageService {

  /** @return once durable, the ack; the same ack for a retried cmid */
  Future<Ack> send(SendCommand command);

  /** Every member's devices get {@code recalled}. */
  Future<Void> recall(RecallCommand command);

  /** A group's creation or a change of its name, members or admins, stored as a {@code system} message. */
  Future<Void> changeGroup(GroupCommand command);

  /** Tells the other members' online devices; stores nothing. */
  Future<Void> typing(TypingCommand command);

  /** One signaling step of a one-to-one call (docs/protocol.md §3, Calls), relayed by the conversation's owner. */
  Future<Void> call(CallCommand command);

  /** Succeeds when chat room {@code conv} exists; fails {@code not_found} otherwise. */
  Future<Void> requireRoom(String conv);
}
