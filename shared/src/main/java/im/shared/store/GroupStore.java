package im.shared.store;

import im.protocol.Conv;
import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL of groups and rooms. Membership writes are made only by the conversation's owner (so they are
 * ordered with its messages); the group read of {@link #describe} and room creation may run anywhere.
 * Non-blocking.
 */
public final class GroupStore {

  public static final String OWNER = "owner";
  public static final String ADMIN = "admin";
  public static final String MEMBER = "member";

  /** A conversation as its owner keeps it: type, name, durable seq floor and members in join order. */
  public record Loaded(Conv.Type type, String name, long maxSeq, LinkedHashMap<String, String> roles) {}

  static final String LOAD =
      "SELECT c.type, c.name, c.max_seq, m.uid, m.role FROM conversations c LEFT JOIN members m ON m.conv = c.conv"
          + " WHERE c.conv = $1 ORDER BY m.join_seq, m.uid";

  static final String KNOWN_USERS = "SELECT uid FROM users WHERE uid = ANY($1::text[])";

  static final String CREATE_CONV =
      "INSERT INTO conversations (conv, type, name, created_at) VALUES ($1, $2, $3, $4)";

  static final String INSERT_MEMBERS =
      "INSERT INTO members (conv, uid, role, join_seq) SELECT $1, u.uid, u.role, $4"
          + " FROM unnest($2::text[], $3::text[]) AS u(uid, role) ON CONFLICT (conv, uid) DO NOTHING";

  static final String DELETE_MEMBER = "DELETE FROM members WHERE conv = $1 AND uid = $2";

  static final String SET_ROLE = "UPDATE members SET role = $3 WHERE conv = $1 AND uid = $2";

  static final String RENAME = "UPDATE conversations SET name = $2 WHERE conv = $1";

  static final String DESCRIBE =
      "SELECT c.name, m.uid, m.role, (SELECT count(*) FROM members s WHERE s.conv = c.conv AND s.uid = $2) AS caller"
          + " FROM conversations c LEFT JOIN members m ON m.conv = c.conv"
          + " WHERE c.conv = $1 AND c.type = 'group' ORDER BY m.join_seq, m.uid";

  private final Pool pool;

  public GroupStore(Pool pool) {
    this.pool = pool;
  }

  /** @return the conversation, or null when it does not exist */
  public Future<Loaded> load(String conv) {
    return pool.preparedQuery(LOAD).execute(Tuple.of(conv)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      LinkedHashMap<String, String> roles = new LinkedHashMap<>();
      Conv.Type type = null;
      String name = null;
      long maxSeq = 0;
      for (Row row : rows) {
        type = typeOf(row.getString("type"));
        name = row.getString("name");
        maxSeq = row.getLong("max_seq");
        if (row.getString("uid") != null) {
          roles.put(row.getString("uid"), row.getString("role"));
        }
      }
      return new Loaded(type, name, maxSeq, roles);
    });
  }

  /** Fails with {@code not_found} naming the first uid that has no account. */
  public Future<Void> requireUsers(Collection<String> uids) {
    Set<String> wanted = new HashSet<>(uids);
    return pool.preparedQuery(KNOWN_USERS).execute(Tuple.tuple().addValue(wanted.toArray(new String[0]))).compose(rows -> {
      rows.forEach(row -> wanted.remove(row.getString(0)));
      return wanted.isEmpty()
          ? Future.succeededFuture()
          : Future.failedFuture(ImException.notFound("no such user: " + wanted.iterator().next()));
    });
  }

  /** Creates a group and its members (join seq 0: they see it from its first message) in one transaction. */
  public Future<Void> createGroup(String conv, String name, Map<String, String> roles, long now) {
    return pool.withTransaction(client -> client.preparedQuery(CREATE_CONV)
        .execute(Tuple.of(conv, Conv.Type.GROUP.dbName(), name, now))
        .compose(v -> client.preparedQuery(INSERT_MEMBERS).execute(membersTuple(conv, roles, 0))))
        .mapEmpty();
  }

  public Future<Void> createRoom(String conv, String name, long now) {
    return pool.preparedQuery(CREATE_CONV).execute(Tuple.of(conv, Conv.Type.ROOM.dbName(), name, now)).mapEmpty();
  }

  /** Adds members who see the conversation only above {@code joinSeq}. */
  public Future<Void> addMembers(String conv, List<String> uids, long joinSeq) {
    Map<String, String> roles = new LinkedHashMap<>();
    uids.forEach(uid -> roles.put(uid, MEMBER));
    return pool.preparedQuery(INSERT_MEMBERS).execute(membersTuple(conv, roles, joinSeq)).mapEmpty();
  }

  /** Removes a member and, when the owner leaves, makes {@code newOwner} (may be null) the owner, atomically. */
  public Future<Void> removeMember(String conv, String uid, String newOwner) {
    if (newOwner == null) {
      return pool.preparedQuery(DELETE_MEMBER).execute(Tuple.of(conv, uid)).mapEmpty();
    }
    return pool.withTransaction(client -> client.preparedQuery(DELETE_MEMBER).execute(Tuple.of(conv, uid))
        .compose(v -> client.preparedQuery(SET_ROLE).execute(Tuple.of(conv, newOwner, OWNER))))
        .mapEmpty();
  }

  public Future<Void> setRole(String conv, String uid, String role) {
    return pool.preparedQuery(SET_ROLE).execute(Tuple.of(conv, uid, role)).mapEmpty();
  }

  public Future<Void> rename(String conv, String name) {
    return pool.preparedQuery(RENAME).execute(Tuple.of(conv, name)).mapEmpty();
  }

  /**
   * {@code {groupId, conv, name, owner, members:[{uid, role}]}} for a member; {@code not_found} when there is no
   * such group, {@code not_member} for anyone else.
   */
  public Future<JsonObject> describe(String groupId, String uid) {
    String conv = Conv.group(groupId);
    return pool.preparedQuery(DESCRIBE).execute(Tuple.of(conv, uid)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(ImException.notFound("no group " + groupId));
      }
      if (rows.iterator().next().getLong("caller") == 0) {
        return Future.failedFuture(ImException.notMember("not a member of group " + groupId));
      }
      JsonArray members = new JsonArray();
      String name = null;
      String owner = null;
      for (Row row : rows) {
        name = row.getString("name");
        String member = row.getString("uid");
        String role = row.getString("role");
        if (OWNER.equals(role)) {
          owner = member;
        }
        members.add(new JsonObject().put("uid", member).put("role", role));
      }
      return Future.succeededFuture(new JsonObject().put("groupId", groupId).put("conv", conv).put("name", name)
          .put("owner", owner).put("members", members));
    });
  }

  private static Tuple membersTuple(String conv, Map<String, String> roles, long joinSeq) {
    List<String> uids = new ArrayList<>(roles.keySet());
    List<String> kinds = new ArrayList<>(roles.values());
    return Tuple.tuple().addValue(conv).addValue(uids.toArray(new String[0])).addValue(kinds.toArray(new String[0]))
        .addValue(joinSeq);
  }

  private static Conv.Type typeOf(String dbName) {
    for (Conv.Type type : Conv.Type.values()) {
      if (type.dbName().equals(dbName)) {
        return type;
      }
    }
    return null;
  }
}
