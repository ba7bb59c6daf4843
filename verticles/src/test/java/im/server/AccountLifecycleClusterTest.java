package im.server;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.shared.Ids;
import im.shared.auth.JwtTokens;
import im.testing.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static im.server.SocialEndToEndTest.text;
import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Logout, logout-all and account closing (docs/protocol.md §4 accounts) on a two-node cluster: a revocation made on
 * one node is refused on both within 2 s, and the connections of the revoked tokens are kicked on both.
 */
class AccountLifecycleClusterTest {

  private static final Duration WITHIN = Duration.ofSeconds(2);

  private static TestNode one;
  private static TestNode two;

  @BeforeAll
  static void startCluster() {
    String name = "im-accounts-" + Ids.newId();
    one = TestNode.start(new JsonObject().put("cluster", new JsonObject().put("name", name)));
    two = TestNode.start(new JsonObject()
        .put("cluster", new JsonObject().put("name", name).put("members", "127.0.0.1:" + one.clusterPort())));
  }

  @AfterAll
  static void stopCluster() {
    two.close();
    one.close();
  }

  @Test
  void logoutRefusesThatTokenOnEveryNodeAndKicksItsConnectionsOnly() {
    TestNode.User alice = await(one.newUser());
    String second = login(one, alice);
    assertNotEquals(alice.token(), second, "two logins in the same second get distinct tokens");
    ImClient loggedOut = await(two.connect("ws", alice, "phone"));
    ImClient kept = await(two.connect("tcp", withToken(alice, second), "laptop"));

    assertEquals(204, await(one.http().post("/api/v1/auth/logout", alice.token(), null)).status());

    assertEquals(401, me(one, alice.token()).status(), "refused at once on the node that logged out");
    refusedWithin(two, alice.token());
    assertEquals("logout", await(loggedOut.next(Op.KICKED)).getString("reason"));
    await(loggedOut.closed());
    assertEquals(200, me(two, second).status(), "the user's other token still works");
    assertEquals(200, me(one, second).status());
    await(kept.request(Op.PING, new JsonObject()));
    ImClient again = await(two.ws());
    assertThrows(Exception.class, () -> await(again.auth(alice.token(), "phone")), "a logged-out token cannot sign in");
    kept.close();
  }

  @Test
  void logoutAllRefusesEveryEarlierTokenButNotALaterLogin() {
    TestNode.User bob = await(one.newUser());
    String second = login(two, bob);
    ImClient onOne = await(one.connect("ws", bob, "a"));
    ImClient onTwo = await(two.connect("tcp", withToken(bob, second), "b"));

    assertEquals(204, await(two.http().post("/api/v1/auth/logout-all", second, null)).status());

    assertEquals("logout", await(onOne.next(Op.KICKED)).getString("reason"));
    assertEquals("logout", await(onTwo.next(Op.KICKED)).getString("reason"));
    for (TestNode node : new TestNode[] {one, two}) {
      refusedWithin(node, bob.token());
      refusedWithin(node, second);
    }
    String later = login(one, bob);
    assertEquals(200, me(one, later).status());
    assertEquals(200, me(two, later).status());
  }

  @Test
  void aClosedAccountIsRefusedKickedAndStaysInOthersHistory() {
    TestNode.User carol = await(one.newUser());
    TestNode.User dave = await(one.newUser());
    ImClient carolOnTwo = await(two.connect("ws", carol, "c"));
    JsonObject ack = await(carolOnTwo.request(Op.SEND, text("hello-" + Ids.newId(), dave, "hello")));
    String conv = ack.getString("conv");

    HttpResult wrong = await(one.http().delete("/api/v1/users/me", carol.token(), new JsonObject().put("password", "not-it-at-all")));
    assertEquals(401, wrong.status());
    assertEquals(200, me(one, carol.token()).status(), "a wrong password closes nothing");

    HttpResult closed = await(one.http().delete("/api/v1/users/me", carol.token(), password(carol)));
    assertEquals(204, closed.status(), closed.raw().toString());

    assertEquals("closed", await(carolOnTwo.next(Op.KICKED)).getString("reason"));
    refusedWithin(one, carol.token());
    refusedWithin(two, carol.token());
    HttpResult login = await(one.http().post("/api/v1/auth/login", null, password(carol).put("username", carol.username())));
    assertEquals(401, login.status(), "a closed account cannot sign in");
    assertEquals(404, await(one.http().get("/api/v1/users?username=" + carol.username(), dave.token())).status());

    JsonArray history = await(two.http().get("/api/v1/conversations/" + conv + "/messages", dave.token()))
        .json().getJsonArray("messages");
    assertEquals(1, history.size());
    assertEquals(carol.uid(), history.getJsonObject(0).getString("from"), "its messages stay under its uid");
  }

  @Test
  void aValidlySignedTokenOfNoAccountIsRefused() {
    String forged = new JwtTokens(one.clientVertx(), one.config().jwt()).issue(Ids.newUid()).token();
    assertEquals(401, me(one, forged).status());
    assertEquals(401, me(two, forged).status());
    ImClient client = await(one.tcp());
    assertThrows(Exception.class, () -> await(client.auth(forged, "d")));
  }

  private static String login(TestNode node, TestNode.User user) {
    return await(node.http().login(user.username(), "password-" + user.username())).getString("token");
  }

  private static JsonObject password(TestNode.User user) {
    return new JsonObject().put("password", "password-" + user.username());
  }

  private static TestNode.User withToken(TestNode.User user, String token) {
    return new TestNode.User(user.uid(), user.username(), token);
  }

  private static HttpResult me(TestNode node, String token) {
    return await(node.http().get("/api/v1/users/me", token));
  }

  private static void refusedWithin(TestNode node, String token) {
    await(Poll.until(node.clientVertx(), () -> node.http().get("/api/v1/users/me", token).map(r -> r.status() == 401))
        .timeout(WITHIN.toMillis(), TimeUnit.MILLISECONDS));
  }
}
