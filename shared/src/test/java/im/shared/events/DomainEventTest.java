package im.shared.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wire shape of im.events records (docs/events.md): the envelope, the fields and the keys. */
class DomainEventTest {

  @Test
  void anEventIsItsTypeIdAndTimeFollowedByItsFields() {
    DomainEvent stored = new DomainEvent.MessageStored("g:1", 7, "m1", "alice", "phone", "c1", "text",
        new JsonObject().put("text", "hi"), 1234);
    assertEquals(new JsonObject().put("type", "message.stored").put("id", "e1").put("ts", 1234L)
            .put("conv", "g:1").put("seq", 7L).put("mid", "m1").put("from", "alice").put("device", "phone")
            .put("cmid", "c1").put("kind", "text").put("body", new JsonObject().put("text", "hi")),
        stored.toJson("e1"));
  }

  @Test
  void aConversationsEventsAreKeyedByTheConversation() {
    assertEquals("g:1", new DomainEvent.MessageRecalled("g:1", 3, "bob", 1).key());
    assertEquals("p:a:b", new DomainEvent.ReadAdvanced("p:a:b", "b", 3, 1).key());
    assertEquals("g:1", new DomainEvent.GroupOwnerChanged("g:1", "bob", "alice", 1).key());
  }

  @Test
  void whatHappensBetweenTwoUsersIsKeyedByTheirPairWhoeverActs() {
    String pair = "p:a:b";
    assertEquals(pair, new DomainEvent.FriendRequested("r1", "b", "a", null, 1).key());
    assertEquals(pair, new DomainEvent.FriendAccepted("r1", "a", "b", pair, 2).key());
    assertEquals(pair, new DomainEvent.FriendRejected("r1", "a", "b", 2).key());
    assertEquals(pair, new DomainEvent.FriendRemoved("b", "a", 3).key());
    assertEquals(pair, new DomainEvent.Blocked("a", "b", 4).key());
    assertEquals(pair, new DomainEvent.Unblocked("a", "b", 5).key());
  }

  @Test
  void aUsersPresenceIsKeyedByTheUser() {
    DomainEvent presence = new DomainEvent.PresenceChanged("alice", "offline", 99, 100);
    assertEquals("alice", presence.key());
    assertEquals(new JsonObject().put("uid", "alice").put("status", "offline").put("lastSeen", 99L), presence.fields());
  }

  @Test
  void adminChangesNameTheirDirectionInTheType() {
    assertEquals("group.admin_added", new DomainEvent.GroupAdminChanged("g:1", "o", "u", true, 1).type());
    assertEquals("group.admin_removed", new DomainEvent.GroupAdminChanged("g:1", "o", "u", false, 1).type());
    assertEquals(new JsonArray().add("a").add("b"),
        new DomainEvent.GroupCreated("g:1", "a", "n", List.of("a", "b"), 1).fields().getJsonArray("uids"));
  }
}
