package im.server.message;

import im.protocol.ImException;
import im.shared.bus.message.SendCommand;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.Referenced;
import im.shared.message.PersistenceBarrier;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks what the replies and comments of a batch name (docs/protocol.md §3, Replies and threads): the message must
 * exist in the same conversation and not be recalled, and a thread's root must not itself be a comment. One
 * look-up per batch, and only for batches that hold such sends; a batch of plain messages costs nothing. A send
 * that names a wrong message is refused alone with {@code bad_request} (§3, Isolation).
 *
 * <p>The owner serialises a conversation and acks a message only once it is stored, so any message a client can
 * name is stored before the batch that names it is checked. Threading: the owner's context.
 */
final class ReferenceCheck {

  private final MessageWriter writer;
  private final PersistenceBarrier barrier;

  /** @param barrier waited for first: in Kafka mode a named message may be acked and not stored yet */
  ReferenceCheck(MessageWriter writer, PersistenceBarrier barrier) {
    this.writer = writer;
    this.barrier = barrier;
  }

  /** @return the sends of {@code batch} to refuse, each with its reason; empty when all are fine */
  Future<Map<PendingSend, ImException>> refusals(List<PendingSend> batch) {
    List<PendingSend> naming = new ArrayList<>();
    for (PendingSend send : batch) {
      if (send.command.refs().any()) {
        naming.add(send);
      }
    }
    if (naming.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<String> convs = naming.stream().map(send -> send.command.conv()).toList();
    List<Long> seqs = naming.stream().map(send -> send.command.refs().target()).toList();
    List<Future<Void>> stored = convs.stream().distinct().map(barrier::awaitConv).toList();
    return Future.all(stored).compose(v -> writer.findReferenced(convs, seqs)).map(found -> {
      Map<PendingSend, ImException> refused = new IdentityHashMap<>();
      for (PendingSend send : naming) {
        SendCommand command = send.command;
        long seq = command.refs().target();
        String field = command.thread() != null ? "thread" : "replyTo";
        Referenced target = found.get(MessageWriter.key(command.conv(), seq));
        if (target == null) {
          refused.put(send, ImException.badRequest(field + " names no message " + seq + " of " + command.conv()));
        } else if (target.recalled()) {
          refused.put(send, ImException.badRequest(field + " names message " + seq + ", which was recalled"));
        } else if (command.thread() != null && target.thread() != null) {
          refused.put(send, ImException.badRequest("thread names comment " + seq + "; comment on its root "
              + target.thread() + " instead"));
        }
      }
      return refused;
    });
  }
}
