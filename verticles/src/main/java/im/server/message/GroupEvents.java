package im.server.message;

import im.shared.events.DomainEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code group.*} events (docs/events.md) of a stored group change, read from the body of its {@code system}
 * message ({@link GroupChanges}), so they carry that message's time and leave right after its
 * {@code message.stored}. Pure.
 */
final class GroupEvents {

  private GroupEvents() {}

  static List<DomainEvent> of(String conv, JsonObject body, long ts) {
    String by = body.getString("by");
    List<String> uids = uids(body.getJsonArray("uids"));
    String uid = uids.isEmpty() ? null : uids.get(0);
    return switch (body.getString("event")) {
      case "group_created" -> List.of(new DomainEvent.GroupCreated(conv, by, body.getString("name"), uids, ts));
      case "group_renamed" -> List.of(new DomainEvent.GroupRenamed(conv, by, body.getString("name"), ts));
      case "member_added" -> List.of(new DomainEvent.GroupMembersAdded(conv, by, uids, ts));
      case "member_removed" -> List.of(new DomainEvent.GroupMemberRemoved(conv, by, uid, ts));
      case "member_left" -> body.getString("newOwner") == null
          ? List.of(new DomainEvent.GroupMemberLeft(conv, uid, ts))
          : List.of(new DomainEvent.GroupMemberLeft(conv, uid, ts),
              new DomainEvent.GroupOwnerChanged(conv, body.getString("newOwner"), uid, ts));
      case "admin_added" -> List.of(new DomainEvent.GroupAdminChanged(conv, by, uid, true, ts));
      case "admin_removed" -> List.of(new DomainEvent.GroupAdminChanged(conv, by, uid, false, ts));
      // Never reached for the changes GroupChanges writes; an event stream must not stop the owner's acks.
      default -> List.of();
    };
  }

  private static List<String> uids(JsonArray array) {
    List<String> uids = new ArrayList<>();
    if (array != null) {
      array.forEach(uid -> uids.add((String) uid));
    }
    return uids;
  }
}
