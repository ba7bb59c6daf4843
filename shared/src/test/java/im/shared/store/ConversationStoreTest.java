package im.shared.store;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.shared.Ids;
import im.shared.db.Database;
import im.shared.testing.Seed;
import im.shared.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static im.shared.testing.Failures.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConversationStoreTest {

  private Pool pool;
  private Seed seed;
  private ConversationStore store;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestDb.config().pg());
    seed = new Seed(pool);
    store = new ConversationStore(pool);
  }

  @AfterEach
  void tearDown() {
    pool.close().await();
  }

  private static List<Long> seqs(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("seq")).collect(Collectors.toList());
  }

  @Test
  void listShowsNewestActivityFirstWithUnreadAndLastMessage() {
    String alice = seed.user();
    String bob = seed.user();
    String carol = seed.user();
    String p2p = seed.p2p(alice, bob, 1_000);
    seed.messages(p2p, bob, 1, 3, 10_000);
    seed.messages(p2p, alice, 4, 4, 10_000);
    seed.read(p2p, alice, 1);
    String group = seed.group("Team", 2_000, alice, carol);
    seed.messages(group, carol, 1, 2, 50_000);
    seed.recall(group, 2);
    String quiet = seed.group("Quiet", 3_000, alice);

    JsonArray list = store.list(alice).await().getJsonArray("conversations");
    assertEquals(List.of(group, p2p, quiet),
        list.stream().map(c -> ((JsonObject) c).getString("conv")).collect(Collectors.toList()));

    JsonObject g = list.getJsonObject(0);
    assertEquals("group", g.getString("type"));
    assertEquals("Team", g.getString("name"));
    assertEquals(group.substring(2), g.getString("groupId"));
    assertFalse(g.containsKey("peer"));
    assertEquals(2, g.getLong("maxSeq"));
    assertEquals(2, g.getLong("unread"));
    assertEquals(52_000, g.getLong("updatedAt"));
    JsonObject recalled = g.getJsonObject("lastMessage");
    assertEquals(new JsonObject().put("conv", group).put("seq", 2L).put("mid", recalled.getString("mid"))
        .put("from", carol).put("ts", 52_000L).put("recalled", true).put("replyCount", 0).put("lastReplyTs", null),
        recalled, "a recalled message keeps its thread's counters and loses its content");

    JsonObject p = list.getJsonObject(1);
    assertEquals("p2p", p.getString("type"));
    assertEquals(bob, p.getString("peer"));
    assertTrue(p.getString("name").startsWith("Name "), "a one-to-one conversation is named after the peer");
    assertEquals(1, p.getLong("readSeq"));
    assertEquals(2, p.getLong("unread"), "bob's 2 and 3 above readSeq; alice's own 4 does not count");
    JsonObject last = p.getJsonObject("lastMessage");
    assertEquals(4, last.getLong("seq"));
    assertEquals(alice, last.getString("from"));
    assertEquals("text", last.getString("kind"));
    assertEquals(new JsonObject().put("text", "m4"), last.getJsonObject("body"));
    assertEquals("d1", last.getString("device"));
    assertEquals(p2p, last.getString("conv"));

    JsonObject q = list.getJsonObject(2);
    assertNull(q.getValue("lastMessage"));
    assertTrue(q.containsKey("lastMessage"));
    assertEquals(3_000, q.getLong("updatedAt"));
    assertEquals(0, q.getLong("unread"));
  }

  @Test
  void historyPagesBothWaysAscending() {
    String alice = seed.user();
    String bob = seed.user();
    String conv = seed.p2p(alice, bob, 0);
    seed.messages(conv, bob, 1, 30, 0);

    JsonObject newest = store.history(alice, conv, null, null, 20).await();
    assertEquals(rangeList(11, 30), seqs(newest.getJsonArray("messages")));
    assertTrue(newest.getBoolean("hasMore"));

    JsonObject older = store.history(alice, conv, 11L, null, 20).await();
    assertEquals(rangeList(1, 10), seqs(older.getJsonArray("messages")));
    assertFalse(older.getBoolean("hasMore"));

    JsonObject after = store.history(bob, conv, null, 25L, 3).await();
    assertEquals(List.of(26L, 27L, 28L), seqs(after.getJsonArray("messages")));
    assertTrue(after.getBoolean("hasMore"));
    assertFalse(store.history(bob, conv, null, 27L, 3).await().getBoolean("hasMore"));
    assertTrue(store.history(bob, conv, null, 30L, 3).await().getJsonArray("messages").isEmpty());

    assertFailsWith(ErrorCode.BAD_REQUEST, store.history(alice, conv, 5L, 1L, 20));
    assertFailsWith(ErrorCode.BAD_REQUEST, store.history(alice, conv, null, null, 101));
  }

  @Test
  void historyHidesWhatCameBeforeJoining() {
    String owner = seed.user();
    String late = seed.user();
    String group = seed.group("G", 0, owner);
    seed.messages(group, owner, 1, 10, 0);
    seed.member(group, late, 7);
    assertEquals(List.of(8L, 9L, 10L), seqs(store.history(late, group, null, null, 20).await().getJsonArray("messages")));
    assertEquals(List.of(8L, 9L), seqs(store.history(late, group, 10L, null, 20).await().getJsonArray("messages")));
    assertEquals(List.of(8L), seqs(store.history(late, group, null, 0L, 1).await().getJsonArray("messages")));
    assertTrue(store.history(late, group, 8L, null, 20).await().getJsonArray("messages").isEmpty());
  }

  @Test
  void outsidersAreRefused() {
    String alice = seed.user();
    String bob = seed.user();
    String eve = seed.user();
    String p2p = seed.p2p(alice, bob, 0);
    String group = seed.group("G", 0, alice);
    assertFailsWith(ErrorCode.NOT_FOUND, store.history(eve, p2p, null, null, 20));
    assertFailsWith(ErrorCode.NOT_MEMBER, store.history(eve, group, null, null, 20));
    assertFailsWith(ErrorCode.NOT_FOUND, store.history(alice, Conv.p2p(alice, eve), null, null, 20));
    assertFailsWith(ErrorCode.NOT_FOUND, store.history(alice, "g:" + Ids.newId(), null, null, 20));
    assertFailsWith(ErrorCode.NOT_FOUND, store.history(alice, "nonsense", null, null, 20));
    assertFailsWith(ErrorCode.NOT_MEMBER, store.checkReadable(eve, group));
  }

  @Test
  void syncNamedAndAllWithMissing() {
    String alice = seed.user();
    String bob = seed.user();
    String p2p = seed.p2p(alice, bob, 0);
    seed.messages(p2p, bob, 1, 30, 0);
    String group = seed.group("G", 0, alice, bob);
    seed.messages(group, alice, 1, 2, 0);
    String late = seed.group("Late", 0, bob);
    seed.messages(late, bob, 1, 5, 0);
    seed.member(late, alice, 3);

    Map<String, Long> named = new LinkedHashMap<>();
    named.put(p2p, 10L);
    JsonArray onlyNamed = store.sync(alice, named, false, 5).await().getJsonArray("convs");
    assertEquals(1, onlyNamed.size());
    JsonObject p = onlyNamed.getJsonObject(0);
    assertEquals(p2p, p.getString("conv"));
    assertEquals(List.of(26L, 27L, 28L, 29L, 30L), seqs(p.getJsonArray("messages")));
    assertEquals(15, p.getLong("missing"));
    assertEquals(30, p.getLong("maxSeq"));
    assertEquals(0, p.getLong("readSeq"));
    assertEquals(30, p.getLong("unread"));

    Map<String, JsonObject> all = byConv(store.sync(alice, named, true, 20).await().getJsonArray("convs"));
    assertEquals(3, all.size());
    assertEquals(rangeList(11, 30), seqs(all.get(p2p).getJsonArray("messages")));
    assertEquals(0, all.get(p2p).getLong("missing"));
    assertEquals(List.of(1L, 2L), seqs(all.get(group).getJsonArray("messages")));
    assertEquals(0, all.get(group).getLong("unread"), "own messages are not unread");
    assertEquals(List.of(4L, 5L), seqs(all.get(late).getJsonArray("messages")), "nothing from before joining");
    assertEquals(2, all.get(late).getLong("unread"));

    Map<String, Long> upToDate = Map.of(group, 2L);
    JsonObject none = store.sync(alice, upToDate, false, 20).await().getJsonArray("convs").getJsonObject(0);
    assertTrue(none.getJsonArray("messages").isEmpty());
    assertEquals(0, none.getLong("missing"));
  }

  @Test
  void syncOfAForeignConversationFails() {
    String alice = seed.user();
    String bob = seed.user();
    String eve = seed.user();
    String p2p = seed.p2p(alice, bob, 0);
    String group = seed.group("G", 0, alice);
    assertFailsWith(ErrorCode.NOT_FOUND, store.sync(eve, Map.of(p2p, 0L), false, 20));
    assertFailsWith(ErrorCode.NOT_MEMBER, store.sync(eve, Map.of(group, 0L), true, 20));
    assertFailsWith(ErrorCode.NOT_FOUND, store.sync(alice, Map.of("g:" + Ids.newId(), 0L), false, 20));
    assertTrue(store.sync(eve, Map.of(), true, 20).await().getJsonArray("convs").isEmpty());
  }

  private static Map<String, JsonObject> byConv(JsonArray convs) {
    return convs.stream().map(c -> (JsonObject) c).collect(Collectors.toMap(c -> c.getString("conv"), c -> c));
  }

  private static List<Long> rangeList(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }
}
