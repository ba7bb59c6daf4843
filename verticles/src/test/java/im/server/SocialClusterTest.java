package im.server;

import im.protocol.Op;
import im.protocol.client.ImClient;
import im.shared.Ids;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;


import static im.server.SocialEndToEndTest.befriend;
import static im.server.SocialEndToEndTest.text;
import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Presence and the send policy on a two-node cluster: state of one user spread over both nodes. */
class SocialClusterTest {

  private static TestNode one;
  private static TestNode two;

  @BeforeAll
  static void startCluster() {
    String name = "im-social-" + Ids.newId();
    JsonObject presence = new JsonObject().put("graceMs", 200).put("minIntervalMs", 10);
    one = TestNode.start(new JsonObject().put("presence", presence)
        .put("cluster", new JsonObject().put("name", name)));
    two = TestNode.start(new JsonObject().put("presence", presence)
        .put("cluster", new JsonObject().put("name", name).put("members", "127.0.0.1:" + one.clusterPort())));
  }

  @AfterAll
  static void stopCluster() {
    two.close();
    one.close();
  }

  @Test
  void aUserIsOnlineWhileAnyNodeHoldsAConnection() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    befriend(one, alice, bob);
    ImClient aliceOnTwo = await(two.connect("ws", alice, "a1"));
    ImClient bobOnOne = await(one.connect("tcp", bob, "b1"));
    assertEquals("online", await(aliceOnTwo.next(Op.PRESENCE)).getString("status"));
    ImClient bobOnTwo = await(two.connect("ws", bob, "b2"));

    bobOnOne.close();
    await(bobOnOne.closed());
    bobOnTwo.request(Op.PRESENCE, new JsonObject().put("status", "away"));
    // Presence is "latest wins": bob's second connection and the close of his first may each announce "online" again
    // before the "away"; an offline in between is what must not happen.
    String afterClose = await(aliceOnTwo.next(Op.PRESENCE)).getString("status");
    while ("online".equals(afterClose)) {
      afterClose = await(aliceOnTwo.next(Op.PRESENCE)).getString("status");
    }
    assertEquals("away", afterClose, "closing one of two connections on different nodes is no offline");

    bobOnTwo.close();
    // Presence is "latest wins": a repeated announcement of the status already shown (the closes on two nodes
    // reach bob's presence owner in either order) is allowed, anything but offline after it is not.
    String next = await(aliceOnTwo.next(Op.PRESENCE)).getString("status");
    if ("away".equals(next)) {
      next = await(aliceOnTwo.next(Op.PRESENCE)).getString("status");
    }
    assertEquals("offline", next);
    aliceOnTwo.close();
  }

  @Test
  void aBlockMadeOnOneNodeIsEnforcedOnTheOther() {
    TestNode.User alice = await(one.newUser());
    TestNode.User bob = await(one.newUser());
    ImClient aliceOnOne = await(one.connect("tcp", alice, "a1"));
    assertEquals("ack", await(aliceOnOne.request(Op.SEND, text("c0", bob, "cached as allowed"))).getString("t"));

    assertEquals(204, await(two.http().put("/api/v1/blocks/" + alice.uid(), bob.token(), null)).status());
    // The invalidation crosses the cluster asynchronously: within a few round trips the cached pair must be gone.
    String code = null;
    for (int i = 0; i < 50 && !"blocked".equals(code); i++) {
      code = await(aliceOnOne.request(Op.SEND, text("c" + (i + 1), bob, "try"))).getString("code");
    }
    assertEquals("blocked", code);
    aliceOnOne.close();
  }
}
