package im.server;

import im.protocol.Op;
import im.protocol.client.ImClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static im.server.SocialEndToEndTest.befriend;
import static im.server.SocialEndToEndTest.get;
import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence through a real node: friends are told of changes, offline only after the grace period, and bursts
 * are coalesced. {@code fast} has a short grace and almost no rate limit, so that a missing grace would show;
 * {@code limited} keeps the default one announcement per second to show coalescing.
 */
class PresenceEndToEndTest {

  private static final long GRACE_MS = 300;
  private static TestNode fast;
  private static TestNode limited;

  @BeforeAll
  static void startNodes() {
    fast = TestNode.start(new JsonObject().put("presence", new JsonObject().put("graceMs", GRACE_MS).put("minIntervalMs", 10)));
    limited = TestNode.start(new JsonObject().put("presence", new JsonObject().put("graceMs", GRACE_MS).put("minIntervalMs", 1000)));
  }

  @AfterAll
  static void stopNodes() {
    fast.close();
    limited.close();
  }

  private static JsonObject presenceOf(ImClient client, TestNode.User of) {
    JsonObject frame = await(client.next(Op.PRESENCE));
    assertEquals(of.uid(), frame.getString("uid"));
    assertNotNull(frame.getLong("lastSeen"));
    return frame;
  }

  private static JsonObject set(ImClient client, String status) {
    return await(client.request(Op.PRESENCE, new JsonObject().put("status", status)));
  }

  private static JsonObject friendAsListed(TestNode on, TestNode.User viewer, TestNode.User friend) {
    for (Object f : get(on, "/api/v1/friends", viewer).json().getJsonArray("friends")) {
      if (friend.uid().equals(((JsonObject) f).getString("uid"))) {
        return (JsonObject) f;
      }
    }
    throw new AssertionError(friend.uid() + " is not a friend");
  }

  @Test
  void aFriendSeesEveryStatusAndInvisibleShowsAsOffline() {
    TestNode.User alice = await(fast.newUser());
    TestNode.User bob = await(fast.newUser());
    befriend(fast, alice, bob);
    ImClient aliceWs = await(fast.connect("ws", alice, "a1"));
    assertEquals("offline", friendAsListed(fast, alice, bob).getString("status"));

    ImClient bobTcp = await(fast.connect("tcp", bob, "b1"));
    assertEquals("online", presenceOf(aliceWs, bob).getString("status"));
    assertEquals("online", friendAsListed(fast, alice, bob).getString("status"));

    for (String status : List.of("away", "busy")) {
      assertEquals("ok", set(bobTcp, status).getString("t"));
      assertEquals(status, presenceOf(aliceWs, bob).getString("status"));
      assertEquals(status, friendAsListed(fast, alice, bob).getString("status"), "the list agrees with the frame");
    }
    assertEquals("ok", set(bobTcp, "invisible").getString("t"));
    JsonObject hidden = presenceOf(aliceWs, bob);
    assertEquals("offline", hidden.getString("status"));
    JsonObject listed = friendAsListed(fast, alice, bob);
    assertEquals("offline", listed.getString("status"));
    assertEquals(hidden.getLong("lastSeen"), listed.getLong("lastSeen"));

    assertEquals("ok", set(bobTcp, "online").getString("t"));
    assertEquals("online", presenceOf(aliceWs, bob).getString("status"));

    JsonObject refused = set(bobTcp, "sleeping");
    assertEquals("error", refused.getString("t"));
    assertEquals("bad_request", refused.getString("code"));
    assertEquals("bad_request", await(bobTcp.request(Op.PRESENCE, new JsonObject())).getString("code"));
    List.of(aliceWs, bobTcp).forEach(ImClient::close);
  }

  @Test
  void aChosenStatusOutlivesTheConnection() {
    TestNode.User alice = await(fast.newUser());
    TestNode.User bob = await(fast.newUser());
    befriend(fast, alice, bob);
    ImClient aliceWs = await(fast.connect("ws", alice, "a1"));
    ImClient bob1 = await(fast.connect("ws", bob, "b1"));
    assertEquals("online", presenceOf(aliceWs, bob).getString("status"));
    set(bob1, "busy");
    assertEquals("busy", presenceOf(aliceWs, bob).getString("status"));
    bob1.close();
    assertEquals("offline", presenceOf(aliceWs, bob).getString("status"));

    ImClient bob2 = await(fast.connect("tcp", bob, "b2"));
    assertEquals("busy", presenceOf(aliceWs, bob).getString("status"), "a reconnecting user keeps the status they chose");
    List.of(aliceWs, bob2).forEach(ImClient::close);
  }

  @Test
  void aQuickReconnectIsNotAnnounced() {
    TestNode.User alice = await(fast.newUser());
    TestNode.User bob = await(fast.newUser());
    befriend(fast, alice, bob);
    ImClient aliceWs = await(fast.connect("ws", alice, "a1"));
    ImClient bob1 = await(fast.connect("tcp", bob, "b1"));
    assertEquals("online", presenceOf(aliceWs, bob).getString("status"));

    bob1.close();
    await(bob1.closed());
    ImClient bob2 = await(fast.connect("tcp", bob, "b1"));
    set(bob2, "away");
    JsonObject next = presenceOf(aliceWs, bob);
    assertEquals("away", next.getString("status"), "no offline frame came before the next real change");
    assertTrue(aliceWs.received().stream().noneMatch(f -> "presence".equals(f.getString("t")) && "offline".equals(f.getString("status"))));
    List.of(aliceWs, bob2).forEach(ImClient::close);
  }

  @Test
  void aRealDisconnectIsAnnouncedAfterTheGraceWithLastSeen() {
    TestNode.User alice = await(fast.newUser());
    TestNode.User bob = await(fast.newUser());
    befriend(fast, alice, bob);
    ImClient aliceTcp = await(fast.connect("tcp", alice, "a1"));
    ImClient bobWs = await(fast.connect("ws", bob, "b1"));
    assertEquals("online", presenceOf(aliceTcp, bob).getString("status"));

    long closedAt = System.currentTimeMillis();
    bobWs.close();
    JsonObject offline = presenceOf(aliceTcp, bob);
    long announcedAt = System.currentTimeMillis();
    assertEquals("offline", offline.getString("status"));
    assertTrue(announcedAt - closedAt >= GRACE_MS, "announced " + (announcedAt - closedAt) + " ms after the close");
    long lastSeen = offline.getLong("lastSeen");
    assertTrue(lastSeen >= closedAt && lastSeen <= announcedAt, "lastSeen is the time of the disconnect");

    JsonObject listed = friendAsListed(fast, alice, bob);
    assertEquals("offline", listed.getString("status"));
    assertEquals(lastSeen, listed.getLong("lastSeen"), "users.last_seen was written");
    aliceTcp.close();
  }

  @Test
  void aBurstOfChangesIsCoalescedAndTheLastOneWins() {
    TestNode.User alice = await(limited.newUser());
    TestNode.User bob = await(limited.newUser());
    befriend(limited, alice, bob);
    ImClient aliceWs = await(limited.connect("ws", alice, "a1"));
    ImClient bobTcp = await(limited.connect("tcp", bob, "b1"));
    assertEquals("online", presenceOf(aliceWs, bob).getString("status"));

    List<String> statuses = List.of("away", "busy", "online", "invisible");
    for (int i = 0; i < 40; i++) {
      bobTcp.send(Op.PRESENCE, new JsonObject().put("status", statuses.get(i % statuses.size())));
    }
    assertEquals("ok", set(bobTcp, "busy").getString("t"));

    int frames = 0;
    JsonObject frame;
    do {
      frame = presenceOf(aliceWs, bob);
      frames++;
    } while (!"busy".equals(frame.getString("status")));
    assertTrue(frames <= 2, frames + " frames for one burst");
    assertEquals("busy", friendAsListed(limited, alice, bob).getString("status"));
    List.of(aliceWs, bobTcp).forEach(ImClient::close);
  }
}
