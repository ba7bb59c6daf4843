package im.server.message;

import im.shared.bus.message.Ack;
import im.shared.bus.message.SendCommand;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A send taken by the owner and waiting for its batch; it gets its seq, mid and time when the batch is assigned.
 * Only the owner's context touches it.
 */
final class PendingSend {

  final SendCommand command;
  final ConvState conv;
  /** Who gets the message: the members when it was taken. */
  final List<String> recipients;
  /** For a group's {@code system} message, the membership change it records; else null. */
  final GroupChanges.Change change;
  int collisions;
  long seq;
  String mid;
  long ts;

  PendingSend(SendCommand command, ConvState conv) {
    this(command, conv, conv.members, null);
  }

  PendingSend(SendCommand command, ConvState conv, List<String> recipients, GroupChanges.Change change) {
    this.command = command;
    this.conv = conv;
    this.recipients = recipients;
    this.change = change;
  }

  String key() {
    return command.dedupKey();
  }

  Ack ack() {
    return new Ack(command.cmid(), command.conv(), seq, mid, ts);
  }

  /** The body of the {@code msg} frame the other devices get, with {@code replyTo} or {@code thread} when set. */
  JsonObject msg() {
    return command.refs().putInto(new JsonObject()
        .put("conv", command.conv()).put("seq", seq).put("mid", mid)
        .put("from", command.from()).put("device", command.device()).put("cmid", command.cmid())
        .put("kind", command.kind()).put("body", command.body()).put("ts", ts));
  }
}
