package im.server.message;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.shared.bus.message.GroupCommand;
import im.shared.routes.Delivery;
import im.shared.store.GroupStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The rules of group membership (who may rename, add, remove, promote) applied by the group's owner to its
 * {@link ConvState}. A change takes effect in the owner's state at once, so that the commands after it are
 * judged by it; it is stored by {@link Change#persist} once its {@code system} message has its seq, before
 * anyone is answered.
 *
 * <p>Threading: the owner's context only.
 */
final class GroupChanges {

  /**
   * One accepted change: the body of its {@code system} message, who gets that message, what to store once
   * the message's seq is known, and the events to send after it.
   */
  record Change(JsonObject body, List<String> recipients, LongFunction<Future<Void>> persist, List<Delivery> events) {}

  static final int MAX_NAME_LENGTH = 100;

  private final GroupStore store;
  private final int maxMembers;

  GroupChanges(GroupStore store, int maxMembers) {
    this.store = store;
    this.maxMembers = maxMembers;
  }

  /** Validates a group name: 1-{@value #MAX_NAME_LENGTH} characters, not blank. */
  static String name(String name) {
    if (name == null || name.isBlank() || name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
      throw ImException.badRequest("name must be 1-" + MAX_NAME_LENGTH + " characters");
    }
    return name;
  }

  /** The uids of a create or add command, without repeats; at most the member limit. */
  List<String> uids(List<String> given) {
    LinkedHashSet<String> uids = new LinkedHashSet<>(given);
    if (uids.size() > maxMembers) {
      throw tooMany();
    }
    return new ArrayList<>(uids);
  }

  /** A new group: {@code by} is its owner, {@code uids} its members; all see it from its first message. */
  Future<ConvState> create(String conv, String by, String name, List<String> uids) {
    LinkedHashMap<String, String> roles = new LinkedHashMap<>();
    roles.put(by, GroupStore.OWNER);
    uids.forEach(uid -> roles.putIfAbsent(uid, GroupStore.MEMBER));
    if (roles.size() > maxMembers) {
      return Future.failedFuture(tooMany());
    }
    return store.requireUsers(roles.keySet())
        .compose(v -> store.createGroup(conv, name, roles, System.currentTimeMillis()))
        .map(v -> ConvState.group(name, roles, 0));
  }

  /** The {@code group_created} message and {@code group_joined} events of a group just created. */
  Change created(String conv, ConvState state, String by) {
    JsonObject body = event("group_created", by).put("name", state.name).put("uids", new JsonArray(state.members));
    return new Change(body, state.members, seq -> Future.succeededFuture(),
        List.of(groupEvent("group_joined", conv, state, state.members)));
  }

  /**
   * Applies a rename, member or admin change of {@code command} to {@code state}.
   *
   * @return the change, or null when the command changes nothing (adding members already in, promoting an admin)
   */
  Future<Change> apply(ConvState state, GroupCommand command) {
    String conv = command.conv();
    String by = command.by();
    if (!state.isMember(by)) {
      return Future.failedFuture(ImException.notMember("not a member of " + conv));
    }
    try {
      return switch (command.action()) {
        case RENAME -> Future.succeededFuture(rename(conv, state, by, name(command.name())));
        case ADD -> {
          List<String> uids = uids(command.uids());
          requireModerator(state, by);
          yield store.requireUsers(uids).map(v -> add(conv, state, by, uids));
        }
        case REMOVE -> Future.succeededFuture(remove(conv, state, by, target(command.uid(), state)));
        case ADMIN_ADD, ADMIN_REMOVE -> Future.succeededFuture(admin(conv, state, by, target(command.uid(), state),
            command.action() == GroupCommand.Action.ADMIN_ADD));
        case CREATE -> Future.failedFuture(new ImException(ErrorCode.CONFLICT, conv + " exists"));
      };
    } catch (ImException e) {
      return Future.failedFuture(e);
    }
  }

  private Change rename(String conv, ConvState state, String by, String name) {
    requireModerator(state, by);
    state.name = name;
    return new Change(event("group_renamed", by).put("name", name), state.members,
        seq -> store.rename(conv, name), List.of());
  }

  /** Runs after the users were found: the state may have changed meanwhile, so every check is made here. */
  private Change add(String conv, ConvState state, String by, List<String> uids) {
    requireModerator(state, by);
    List<String> added = uids.stream().filter(uid -> !state.roles.containsKey(uid)).toList();
    if (added.isEmpty()) {
      return null;
    }
    if (state.roles.size() + added.size() > maxMembers) {
      throw tooMany();
    }
    // The newcomers read only above the message that adds them, so it is not theirs to receive either.
    List<String> recipients = state.members;
    added.forEach(uid -> state.roles.put(uid, GroupStore.MEMBER));
    state.membersChanged();
    return new Change(event("member_added", by).put("uids", new JsonArray(added)), recipients,
        seq -> store.addMembers(conv, added, seq), List.of(groupEvent("group_joined", conv, state, added)));
  }

  /**
   * A member leaves ({@code by} is the target) or is removed by the owner or an admin; an admin may remove
   * plain members only. An owner who leaves hands the group to the oldest admin, else the oldest member.
   */
  private Change remove(String conv, ConvState state, String by, String uid) {
    boolean leaving = uid.equals(by);
    String newOwner = null;
    JsonObject body;
    if (leaving) {
      body = event("member_left", by).put("uids", new JsonArray().add(uid));
      if (GroupStore.OWNER.equals(state.roles.get(uid))) {
        newOwner = successor(state, uid);
        if (newOwner != null) {
          body.put("newOwner", newOwner);
        }
      }
    } else {
      requireModerator(state, by);
      if (!GroupStore.OWNER.equals(state.roles.get(by)) && !GroupStore.MEMBER.equals(state.roles.get(uid))) {
        throw ImException.forbidden("an admin may remove members only");
      }
      body = event("member_removed", by).put("uids", new JsonArray().add(uid));
    }
    state.roles.remove(uid);
    if (newOwner != null) {
      state.roles.put(newOwner, GroupStore.OWNER);
    }
    state.membersChanged();
    String successor = newOwner;
    return new Change(body, state.members, seq -> store.removeMember(conv, uid, successor),
        List.of(groupEvent("group_left", conv, state, List.of(uid))));
  }

  private static String successor(ConvState state, String owner) {
    String oldestMember = null;
    for (Map.Entry<String, String> member : state.roles.entrySet()) {
      if (member.getKey().equals(owner)) {
        continue;
      }
      if (GroupStore.ADMIN.equals(member.getValue())) {
        return member.getKey();
      }
      if (oldestMember == null) {
        oldestMember = member.getKey();
      }
    }
    return oldestMember;
  }

  private Change admin(String conv, ConvState state, String by, String uid, boolean promote) {
    if (!GroupStore.OWNER.equals(state.roles.get(by))) {
      throw ImException.forbidden("only the owner may change admins");
    }
    String role = state.roles.get(uid);
    if (GroupStore.OWNER.equals(role)) {
      throw ImException.badRequest("the owner is not an admin");
    }
    String wanted = promote ? GroupStore.ADMIN : GroupStore.MEMBER;
    if (wanted.equals(role)) {
      return null;
    }
    state.roles.put(uid, wanted);
    return new Change(event(promote ? "admin_added" : "admin_removed", by).put("uids", new JsonArray().add(uid)),
        state.members, seq -> store.setRole(conv, uid, wanted), List.of());
  }

  private static String target(String uid, ConvState state) {
    if (uid == null || !state.roles.containsKey(uid)) {
      throw ImException.notFound("no member " + uid);
    }
    return uid;
  }

  private static void requireModerator(ConvState state, String by) {
    if (!state.isModerator(by)) {
      throw ImException.forbidden("only the owner or an admin may do this");
    }
  }

  private ImException tooMany() {
    return new ImException(ErrorCode.CONFLICT, "a group has at most " + maxMembers + " members");
  }

  private static JsonObject event(String event, String by) {
    return new JsonObject().put("event", event).put("by", by);
  }

  private static Delivery groupEvent(String kind, String conv, ConvState state, List<String> uids) {
    JsonObject data = new JsonObject().put("groupId", conv.substring(2)).put("conv", conv).put("name", state.name);
    return new Delivery(List.copyOf(uids), Op.EVENT, new JsonObject().put("kind", kind).put("data", data), null);
  }
}
