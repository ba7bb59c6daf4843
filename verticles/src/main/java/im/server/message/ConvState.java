package im.server.message;

import im.protocol.Conv;
import im.shared.store.GroupStore;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * What the owner keeps about a conversation it serves: who gets its messages, a group's roles and name, and the
 * durable seq floor. Only the owner's context touches it.
 */
final class ConvState {

  final Conv.Type type;
  /** A group's members → role, in join order (the oldest first); null for other conversations. */
  final LinkedHashMap<String, String> roles;
  /**
   * Who gets the conversation's messages (a room's go to joined connections instead: empty). An immutable
   * snapshot replaced on every membership change, so a send queued earlier keeps the members of its time.
   */
  List<String> members;
  String name;
  /** Highest seq known to be stored; every allocation is made above it. */
  long floor;

  private ConvState(Conv.Type type, LinkedHashMap<String, String> roles, List<String> members, String name, long floor) {
    this.type = type;
    this.roles = roles;
    this.members = members;
    this.name = name;
    this.floor = floor;
  }

  static ConvState p2p(List<String> members, long floor) {
    return new ConvState(Conv.Type.P2P, null, List.copyOf(members), null, floor);
  }

  static ConvState group(String name, LinkedHashMap<String, String> roles, long floor) {
    return new ConvState(Conv.Type.GROUP, roles, List.copyOf(roles.keySet()), name, floor);
  }

  static ConvState room(String name, long floor) {
    return new ConvState(Conv.Type.ROOM, null, List.of(), name, floor);
  }

  /** Whether {@code uid} may post and be told: a room's gate is its joined connections, kept by the gateways. */
  boolean isMember(String uid) {
    return switch (type) {
      case GROUP -> roles.containsKey(uid);
      case P2P -> members.contains(uid);
      case ROOM -> true;
    };
  }

  /** A group owner or admin: may recall any message. */
  boolean isModerator(String uid) {
    String role = roles == null ? null : roles.get(uid);
    return GroupStore.OWNER.equals(role) || GroupStore.ADMIN.equals(role);
  }

  void membersChanged() {
    members = List.copyOf(roles.keySet());
  }
}
