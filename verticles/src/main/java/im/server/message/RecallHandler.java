package im.server.message;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.Op;
import im.shared.bus.delivery.RoomDeliverItem;
import im.shared.bus.message.RecallCommand;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
import im.shared.message.MessageWriter;
import im.shared.message.PersistenceBarrier;
import im.shared.message.MessageWriter.RecallTarget;
import im.shared.routes.Delivery;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@code recall} (docs/protocol.md §3, Semantics): the sender within the recall window, or a group's owner or admin
 * at any time, turns a message into a tombstone; every member's devices get {@code recalled}, and the event stream a
 * {@code message.recalled}.
 *
 * <p>Threading: the owner's context only.
 */
final class RecallHandler {

  private static final Logger LOG = LoggerFactory.getLogger(RecallHandler.class);

  private final ConversationCache conversations;
  private final MessageWriter writer;
  private final OrderedFanout fanout;
  private final long recallWindowMs;
  private final PersistenceBarrier barrier;
  private final EventPublisher events;

  RecallHandler(ConversationCache conversations, MessageWriter writer, PersistenceBarrier barrier, OrderedFanout fanout,
                long recallWindowMs, EventPublisher events) {
    this.conversations = conversations;
    this.writer = writer;
    this.barrier = barrier;
    this.fanout = fanout;
    this.recallWindowMs = recallWindowMs;
    this.events = events;
  }

  Future<Void> recall(RecallCommand command) {
    String conv = command.conv();
    // A recall names a stored message, so it never needs to create a conversation.
    return conversations.existing(conv, command.by()).compose(state -> {
      if (!state.isMember(command.by())) {
        return Future.failedFuture(ImException.notMember("not a member of " + conv));
      }
      // In Kafka mode the message may be acked and not stored yet: wait for it rather than answer not_found.
      return barrier.awaitConv(conv)
          .compose(v -> writer.findForRecall(conv, command.seq()))
          .compose(target -> recall(state, command, target));
    });
  }

  private Future<Void> recall(ConvState state, RecallCommand command, RecallTarget target) {
    String conv = command.conv();
    long seq = command.seq();
    String by = command.by();
    if (target == null) {
      return Future.failedFuture(ImException.notFound("no message " + seq + " in " + conv));
    }
    boolean moderator = state.isModerator(by);
    if (!target.sender().equals(by) && !moderator) {
      return Future.failedFuture(ImException.forbidden("only the sender may recall this message"));
    }
    if (MessageKinds.SYSTEM.equals(target.kind()) || MessageKinds.CALL.equals(target.kind())) {
      return Future.failedFuture(ImException.forbidden(target.kind() + " messages cannot be recalled"));
    }
    if (target.recalled()) {
      return Future.succeededFuture();
    }
    if (!moderator && System.currentTimeMillis() - target.ts() > recallWindowMs) {
      return Future.failedFuture(new ImException(ErrorCode.RECALL_EXPIRED,
          "the recall window of " + recallWindowMs + " ms has passed"));
    }
    return writer.recall(conv, seq).onSuccess(v -> {
      LOG.info("recalled conv={} seq={} by={}", conv, seq, by);
      events.publish(new DomainEvent.MessageRecalled(conv, seq, by, System.currentTimeMillis()));
      JsonObject body = new JsonObject().put("conv", conv).put("seq", seq).put("by", by);
      if (state.type == Conv.Type.ROOM) {
        fanout.deliver(List.of(), List.of(RoomDeliverItem.of(conv, Op.RECALLED, body, null, null)));
      } else {
        fanout.deliver(List.of(new Delivery(state.members, Op.RECALLED, body, null)), List.of());
      }
    });
  }
}
