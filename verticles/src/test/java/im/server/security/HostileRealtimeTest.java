package im.server.security;

import im.protocol.Conv;
import im.protocol.MessageKinds;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.server.TestNode.User;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile realtime input against a real node, on both transports (docs/protocol.md §3, Isolation and Typing; §4,
 * malformed claims): each fails only the request that carried it, and creates nothing.
 */
class HostileRealtimeTest {

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    // Typing is throttled to one per second per conversation by default: off here, so every typing reaches the owner.
    node = TestNode.start(new JsonObject().put("typing", new JsonObject().put("minIntervalMs", 1)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void aDeeplyNestedBodyIsRefusedWhileTheSendsBesideItAreStored(String transport) {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    ImClient aliceClient = await(node.connect(transport, alice, "a"));
    ImClient bobClient = await(node.connect(transport, bob, "b"));

    // ~990 levels: under the JSON parser's limit, far over the body's. Written by hand: encoding it would be the test's
    // own stack at risk. Bob's send is in flight at the same moment, so it would share the owner's batch.
    String deep = "{\"x\":".repeat(990) + "1" + "}".repeat(990);
    String frame = "{\"t\":\"send\",\"id\":\"deep\",\"cmid\":\"deep\",\"to\":\"" + bob.uid()
        + "\",\"kind\":\"custom\",\"body\":{\"type\":\"t\",\"data\":" + deep + "}}";
    Future<JsonObject> refused = aliceClient.next(Op.ERROR);
    aliceClient.sendRaw(rawFrame(transport, Op.SEND, frame));
    Future<JsonObject> neighbour = bobClient.request(Op.SEND, text(alice.uid(), "beside", "still stored"));

    JsonObject error = await(refused);
    assertEquals("bad_request", error.getString("code"));
    assertEquals("deep", error.getString("id"));
    assertEquals("ack", await(neighbour).getString("t"), "the send beside the deep one is stored");
    assertEquals("still stored", await(aliceClient.next(Op.MSG)).getJsonObject("body").getString("text"));

    assertEquals("ack", await(aliceClient.request(Op.SEND, custom(bob.uid(), "d32", MessageKinds.MAX_BODY_DEPTH))).getString("t"),
        "32 levels, the body included, are allowed");
    JsonObject deeper = await(aliceClient.request(Op.SEND, custom(bob.uid(), "d33", MessageKinds.MAX_BODY_DEPTH + 1)));
    assertEquals("bad_request", deeper.getString("code"));
    assertEquals("pong", await(aliceClient.request(Op.PING, new JsonObject())).getString("t"), "the connection stays open");
    List.of(aliceClient, bobClient).forEach(ImClient::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void typingNeedsAStoredMessageCreatesNothingAndStopsAtBlocks(String transport) {
    User alice = await(node.newUser());
    User bob = await(node.newUser());
    ImClient aliceClient = await(node.connect(transport, alice, "a"));
    ImClient bobClient = await(node.connect(transport, bob, "b"));
    String p2p = Conv.p2p(alice.uid(), bob.uid());

    assertEquals("not_member", await(aliceClient.request(Op.TYPING, conv(p2p))).getString("code"),
        "no message yet: the conversation does not exist");
    assertTrue(conversations(bob).stream().noneMatch(p2p::equals), "typing created no conversation");
    assertTrue(conversations(alice).stream().noneMatch(p2p::equals));

    await(aliceClient.request(Op.SEND, text(bob.uid(), "first", "hello")));
    await(bobClient.next(Op.MSG));
    assertEquals("ok", await(aliceClient.request(Op.TYPING, conv(p2p))).getString("t"));
    assertEquals(alice.uid(), await(bobClient.next(Op.TYPING)).getString("uid"));

    assertEquals(204, await(node.http().put("/api/v1/blocks/" + alice.uid(), bob.token(), new JsonObject())).status());
    assertEquals("ok", await(aliceClient.request(Op.TYPING, conv(p2p))).getString("t"), "dropped without a word");
    assertEquals("ok", await(bobClient.request(Op.TYPING, conv(p2p))).getString("t"), "either way");
    // A ping answered after the typing shows that nothing was delivered before it.
    await(bobClient.request(Op.PING, new JsonObject()));
    await(aliceClient.request(Op.PING, new JsonObject()));
    assertEquals(1, bobClient.received().stream().filter(f -> "typing".equals(f.getString("t"))).count());
    assertTrue(aliceClient.received().stream().noneMatch(f -> "typing".equals(f.getString("t"))));
    List.of(aliceClient, bobClient).forEach(ImClient::close);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exp", "nbf", "iat"})
  void aTokenWithATimeThatIsNotANumberIsRefusedEverywhere(String claim) {
    User alice = await(node.newUser());
    long exp = System.currentTimeMillis() / 1000 + 600;
    JsonObject claims = new JsonObject().put("sub", alice.uid()).put("exp", exp).put(claim, String.valueOf(exp));
    String token = JWTAuth.create(node.clientVertx(), new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("test-secret-0123456789abcdef")))
        .generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));

    assertEquals(401, await(node.http().get("/api/v1/users/me", token)).status());
    for (String transport : List.of("ws", "tcp")) {
      ImClient client = await("tcp".equals(transport) ? node.tcp() : node.ws());
      JsonObject refusal = await(client.request(Op.AUTH, new JsonObject().put("token", token).put("device", "d")));
      assertEquals("unauthorized", refusal.getString("code"), transport);
      await(client.closed());
    }
  }

  private static List<String> conversations(User user) {
    return await(node.http().get("/api/v1/conversations", user.token())).json().getJsonArray("conversations").stream()
        .map(JsonObject.class::cast).map(c -> c.getString("conv")).toList();
  }

  private static Buffer rawFrame(String transport, Op op, String json) {
    Buffer body = Buffer.buffer(json);
    if (!"tcp".equals(transport)) {
      return body;
    }
    return Buffer.buffer().appendInt(8 + body.length()).appendUnsignedShort(op.code())
        .appendUnsignedByte((short) 1).appendUnsignedByte((short) 0).appendBuffer(body);
  }

  private static JsonObject conv(String conv) {
    return new JsonObject().put("conv", conv);
  }

  private static JsonObject text(String to, String cmid, String text) {
    return new JsonObject().put("cmid", cmid).put("to", to).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  /** A custom body nested {@code depth} levels deep, the body object itself counted. */
  private static JsonObject custom(String to, String cmid, int depth) {
    Object data = 1;
    for (int level = 2; level <= depth; level++) {
      data = new JsonObject().put("x", data);
    }
    return new JsonObject().put("cmid", cmid).put("to", to).put("kind", "custom")
        .put("body", new JsonObject().put("type", "t").put("data", data));
  }
}
