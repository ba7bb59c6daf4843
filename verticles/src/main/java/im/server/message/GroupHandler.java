package im.server.message;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.bus.message.GroupCommand;
import io.vertx.core.Future;

/**
 * A group's creation or a change of its name, members or admins, judged by {@link GroupChanges} against the owner's
 * state. The change takes effect in that state at once; the caller writes it as a {@code system} message.
 *
 * <p>Threading: the owner's context only.
 */
final class GroupHandler {

  /** An accepted change and the state it applies to. */
  record Accepted(ConvState state, GroupChanges.Change change) {}

  private final ConversationCache conversations;
  private final GroupChanges changes;

  GroupHandler(ConversationCache conversations, GroupChanges changes) {
    this.conversations = conversations;
    this.changes = changes;
  }

  /** @return the accepted change, or null when the command changes nothing */
  Future<Accepted> handle(GroupCommand command) {
    if (command.action() == GroupCommand.Action.CREATE) {
      return create(command).map(created -> new Accepted(created, changes.created(command.conv(), created, command.by())));
    }
    return conversations.get(command.conv(), command.by()).compose(state -> {
      if (state.type != Conv.Type.GROUP) {
        return Future.failedFuture(ImException.badRequest(command.conv() + " is not a group"));
      }
      return changes.apply(state, command).map(change -> change == null ? null : new Accepted(state, change));
    });
  }

  private Future<ConvState> create(GroupCommand command) {
    String conv = command.conv();
    try {
      String name = GroupChanges.name(command.name());
      var uids = changes.uids(command.uids());
      if (conversations.contains(conv)) {
        return Future.failedFuture(new ImException(ErrorCode.CONFLICT, conv + " exists"));
      }
      return changes.create(conv, command.by(), name, uids).onSuccess(created -> conversations.put(conv, created));
    } catch (ImException e) {
      return Future.failedFuture(e);
    }
  }
}
