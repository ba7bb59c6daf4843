package im.shared.events;

import im.protocol.Conv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The domain events published to topic {@value EventPublisher#EVENTS_TOPIC} (docs/events.md): every event type and
 * its JSON shape, in one place. On the wire an event is one JSON object, {@code {type, id, ts, ...its fields}}; the
 * record key is {@link #key()}: the conversation for a conversation's events, the uid for a user's own events, and
 * the pair's one-to-one conversation id for what happens between two users (friendship and blocks), so that all
 * events of one key stay in one partition, in the order they were published.
 *
 * <p>Immutable records; safe to share between threads.
 */
public sealed interface DomainEvent {

  /** The {@code type} field, e.g. {@code message.stored}. */
  String type();

  /** The Kafka record key. */
  String key();

  /** When it happened: server time in ms. */
  long ts();

  /** The event's own fields, without {@code type}, {@code id} and {@code ts}. */
  JsonObject fields();

  /** The record value: {@code {type, id, ts, ...fields}}. */
  default JsonObject toJson(String id) {
    return new JsonObject().put("type", type()).put("id", id).put("ts", ts()).mergeIn(fields());
  }

  /** A message was stored (acked): {@code system} messages of group changes and room messages included. */
  record MessageStored(String conv, long seq, String mid, String from, String device, String cmid, String kind,
                       JsonObject body, long ts) implements DomainEvent {
    public String type() {
      return "message.stored";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("seq", seq).put("mid", mid).put("from", from).put("device", device)
          .put("cmid", cmid).put("kind", kind).put("body", body);
    }
  }

  /** A message was recalled by {@code by} (its sender, or a group's owner or admin). */
  record MessageRecalled(String conv, long seq, String by, long ts) implements DomainEvent {
    public String type() {
      return "message.recalled";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("seq", seq).put("by", by);
    }
  }

  /** {@code uid}'s read cursor in {@code conv} advanced to {@code seq}. */
  record ReadAdvanced(String conv, String uid, long seq, long ts) implements DomainEvent {
    public String type() {
      return "conversation.read";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("uid", uid).put("seq", seq);
    }
  }

  /** {@code from} asked {@code to} to be friends ({@code message} may be null). */
  record FriendRequested(String requestId, String from, String to, String message, long ts) implements DomainEvent {
    public String type() {
      return "friend.requested";
    }

    public String key() {
      return Conv.p2p(from, to);
    }

    public JsonObject fields() {
      return new JsonObject().put("requestId", requestId).put("from", from).put("to", to).put("message", message);
    }
  }

  /**
   * {@code uid} accepted {@code requester}'s request (or sent a request while one from {@code requester} was
   * pending): they are friends, {@code conv} is their conversation.
   */
  record FriendAccepted(String requestId, String uid, String requester, String conv, long ts) implements DomainEvent {
    public String type() {
      return "friend.accepted";
    }

    public String key() {
      return Conv.p2p(uid, requester);
    }

    public JsonObject fields() {
      return new JsonObject().put("requestId", requestId).put("uid", uid).put("requester", requester).put("conv", conv);
    }
  }

  /** {@code uid} rejected {@code requester}'s request. */
  record FriendRejected(String requestId, String uid, String requester, long ts) implements DomainEvent {
    public String type() {
      return "friend.rejected";
    }

    public String key() {
      return Conv.p2p(uid, requester);
    }

    public JsonObject fields() {
      return new JsonObject().put("requestId", requestId).put("uid", uid).put("requester", requester);
    }
  }

  /** {@code uid} ended the friendship with {@code friend}. */
  record FriendRemoved(String uid, String friend, long ts) implements DomainEvent {
    public String type() {
      return "friend.removed";
    }

    public String key() {
      return Conv.p2p(uid, friend);
    }

    public JsonObject fields() {
      return new JsonObject().put("uid", uid).put("friend", friend);
    }
  }

  /** {@code uid} blocked {@code other} (which ends their friendship and pending requests). */
  record Blocked(String uid, String other, long ts) implements DomainEvent {
    public String type() {
      return "user.blocked";
    }

    public String key() {
      return Conv.p2p(uid, other);
    }

    public JsonObject fields() {
      return new JsonObject().put("uid", uid).put("other", other);
    }
  }

  /** {@code uid} unblocked {@code other}. */
  record Unblocked(String uid, String other, long ts) implements DomainEvent {
    public String type() {
      return "user.unblocked";
    }

    public String key() {
      return Conv.p2p(uid, other);
    }

    public JsonObject fields() {
      return new JsonObject().put("uid", uid).put("other", other);
    }
  }

  /** {@code by} created group {@code conv}; {@code uids} are all its members, {@code by} (the owner) first. */
  record GroupCreated(String conv, String by, String name, List<String> uids, long ts) implements DomainEvent {
    public String type() {
      return "group.created";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("by", by).put("name", name).put("uids", array(uids));
    }
  }

  record GroupRenamed(String conv, String by, String name, long ts) implements DomainEvent {
    public String type() {
      return "group.renamed";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("by", by).put("name", name);
    }
  }

  record GroupMembersAdded(String conv, String by, List<String> uids, long ts) implements DomainEvent {
    public String type() {
      return "group.members_added";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("by", by).put("uids", array(uids));
    }
  }

  /** {@code by} (the owner or an admin) removed {@code uid}. */
  record GroupMemberRemoved(String conv, String by, String uid, long ts) implements DomainEvent {
    public String type() {
      return "group.member_removed";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("by", by).put("uid", uid);
    }
  }

  /** {@code uid} left; an owner who leaves is followed by {@link GroupOwnerChanged}. */
  record GroupMemberLeft(String conv, String uid, long ts) implements DomainEvent {
    public String type() {
      return "group.member_left";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("uid", uid);
    }
  }

  /** The owner {@code by} made {@code uid} an admin ({@code admin} true) or a plain member again. */
  record GroupAdminChanged(String conv, String by, String uid, boolean admin, long ts) implements DomainEvent {
    public String type() {
      return admin ? "group.admin_added" : "group.admin_removed";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("by", by).put("uid", uid);
    }
  }

  /** The group passed from {@code previous} (who left) to {@code owner}. */
  record GroupOwnerChanged(String conv, String owner, String previous, long ts) implements DomainEvent {
    public String type() {
      return "group.owner_changed";
    }

    public String key() {
      return conv;
    }

    public JsonObject fields() {
      return new JsonObject().put("conv", conv).put("owner", owner).put("previous", previous);
    }
  }

  /**
   * What {@code uid}'s friends are now shown: {@code online}, {@code away}, {@code busy} or {@code offline}
   * (invisible users are shown offline); {@code lastSeen} as in the {@code presence} frame.
   */
  record PresenceChanged(String uid, String status, long lastSeen, long ts) implements DomainEvent {
    public String type() {
      return "presence.changed";
    }

    public String key() {
      return uid;
    }

    public JsonObject fields() {
      return new JsonObject().put("uid", uid).put("status", status).put("lastSeen", lastSeen);
    }
  }

  private static JsonArray array(List<String> uids) {
    return new JsonArray(new ArrayList<>(uids));
  }
}
