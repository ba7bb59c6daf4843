package im.server.message;

import im.protocol.Conv;
import im.protocol.ImException;
import im.protocol.Op;
import im.shared.bus.message.TypingCommand;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code typing} in a one-to-one or group conversation: the owner knows the members and tells the others' online
 * devices. Nothing is stored, and nothing is created: typing in a one-to-one conversation with no stored message
 * is {@code not_member} (docs/protocol.md §3, Typing); blocks were judged before it got here ({@link OwnerRouter}).
 * Room typing never comes here: gateways publish it to the room's nodes themselves.
 *
 * <p>Threading: the owner's context only.
 */
final class TypingHandler {

  private final ConversationCache conversations;
  private final Fanout fanout;

  TypingHandler(ConversationCache conversations, Fanout fanout) {
    this.conversations = conversations;
    this.fanout = fanout;
  }

  Future<Void> typing(TypingCommand command) {
    String conv = command.conv();
    String from = command.from();
    return conversations.existing(conv, from).compose(state -> {
      if (!state.isMember(from) || state.type == Conv.Type.ROOM) {
        return Future.failedFuture(ImException.notMember("not a member of " + conv));
      }
      List<String> others = new ArrayList<>(state.members.size());
      state.members.forEach(uid -> {
        if (!uid.equals(from)) {
          others.add(uid);
        }
      });
      return fanout.deliver(new Delivery(others, Op.TYPING, new JsonObject().put("conv", conv).put("uid", from), null));
    });
  }
}
