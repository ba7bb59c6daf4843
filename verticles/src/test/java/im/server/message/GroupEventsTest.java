package im.server.message;

import im.shared.events.DomainEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each group change's system message body becomes its group.* events, with the message's time. */
class GroupEventsTest {

  private static final String CONV = "g:1";

  @Test
  void creationRenameAndAddedMembersBecomeOneEventEach() {
    assertEquals(List.of(new DomainEvent.GroupCreated(CONV, "o", "team", List.of("o", "a"), 5)),
        GroupEvents.of(CONV, change("group_created", "o").put("name", "team").put("uids", uids("o", "a")), 5));
    assertEquals(List.of(new DomainEvent.GroupRenamed(CONV, "o", "crew", 6)),
        GroupEvents.of(CONV, change("group_renamed", "o").put("name", "crew"), 6));
    assertEquals(List.of(new DomainEvent.GroupMembersAdded(CONV, "o", List.of("b", "c"), 7)),
        GroupEvents.of(CONV, change("member_added", "o").put("uids", uids("b", "c")), 7));
  }

  @Test
  void removalsAndAdminChangesNameTheirTarget() {
    assertEquals(List.of(new DomainEvent.GroupMemberRemoved(CONV, "o", "b", 8)),
        GroupEvents.of(CONV, change("member_removed", "o").put("uids", uids("b")), 8));
    assertEquals(List.of(new DomainEvent.GroupAdminChanged(CONV, "o", "a", true, 9)),
        GroupEvents.of(CONV, change("admin_added", "o").put("uids", uids("a")), 9));
    assertEquals(List.of(new DomainEvent.GroupAdminChanged(CONV, "o", "a", false, 10)),
        GroupEvents.of(CONV, change("admin_removed", "o").put("uids", uids("a")), 10));
  }

  @Test
  void anOwnerWhoLeavesHandsTheGroupOverInASecondEvent() {
    assertEquals(List.of(new DomainEvent.GroupMemberLeft(CONV, "a", 11)),
        GroupEvents.of(CONV, change("member_left", "a").put("uids", uids("a")), 11));
    assertEquals(List.of(new DomainEvent.GroupMemberLeft(CONV, "o", 12), new DomainEvent.GroupOwnerChanged(CONV, "a", "o", 12)),
        GroupEvents.of(CONV, change("member_left", "o").put("uids", uids("o")).put("newOwner", "a"), 12));
  }

  private static JsonObject change(String event, String by) {
    return new JsonObject().put("event", event).put("by", by);
  }

  private static JsonArray uids(String... uids) {
    return new JsonArray(List.of((Object[]) uids));
  }
}
