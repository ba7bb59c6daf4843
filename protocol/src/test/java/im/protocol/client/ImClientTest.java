package im.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
class ImClientTest {

  private Vertx vertx;
  private FakeServer server;

  @BeforeEach
  void startServer(Vertx vertx) throws Exception {
    this.vertx = vertx;
    server = await(new FakeServer().start(vertx));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(15, TimeUnit.SECONDS);
  }

  private ImClient connect(String transport) throws Exception {
    return await(transport.equals("ws")
        ? ImClient.ws(vertx, "127.0.0.1", server.wsPort())
        : ImClient.tcp(vertx, "127.0.0.1", server.tcpPort()));
  }

  private static ImException failure(Future<?> future) {
    return assertThrows(ImException.class, () -> await(future));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void requestTakesItsReplyAndNextTakesThePushes(String transport) throws Exception {
    ImClient client = connect(transport);
    assertEquals(transport, client.transport());

    JsonObject authOk = await(client.auth("good", "d1"));
    assertEquals("auth_ok", authOk.getString("t"));
    assertEquals("u1", authOk.getString("uid"));

    JsonObject ack = await(client.request(Op.SEND, new JsonObject().put("cmid", "c1")));
    assertEquals("ack", ack.getString("t"));
    assertEquals("c1", ack.getString("cmid"));

    JsonObject msg = await(client.next());
    assertEquals("msg", msg.getString("t"));
    client.timeout(300);
    assertEquals(ErrorCode.UNAVAILABLE, failure(client.next(Op.ACK)).code());

    List<String> ops = client.received().stream().map(f -> f.getString("t")).toList();
    assertEquals(List.of("auth_ok", "msg", "ack"), ops);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void nextTakesQueuedFramesFirstThenWaits(String transport) throws Exception {
    ImClient client = connect(transport);
    await(client.auth("good", "d1"));
    client.send(Op.TYPING, new JsonObject().put("conv", "g:1"));
    client.send(Op.TYPING, new JsonObject().put("conv", "g:2"));
    await(client.request(Op.PING, null)); // both typing echoes are queued once the pong is back
    Future<JsonObject> waiting = client.next(Op.TYPING).compose(first -> client.next(Op.TYPING))
        .compose(second -> client.next(Op.TYPING));
    assertFalse(waiting.isComplete());
    client.send(Op.TYPING, new JsonObject().put("conv", "g:3"));
    assertEquals("g:3", await(waiting).getString("conv"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void refusedAuthFailsWithTheServerCode(String transport) throws Exception {
    ImClient client = connect(transport);
    ImException refused = failure(client.auth("bad", "d1"));
    assertEquals(ErrorCode.UNAUTHORIZED, refused.code());
    await(client.closed());
    assertEquals(transport.equals("ws") ? Integer.valueOf(1008) : null, client.closeStatus());
    assertEquals(ErrorCode.UNAVAILABLE, failure(client.next(Op.PONG)).code());
    assertEquals(ErrorCode.UNAVAILABLE, failure(client.request(Op.PING, null)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void rawMalformedInputGetsBadRequestAndTheConnectionLives(String transport) throws Exception {
    ImClient client = connect(transport);
    Buffer invalidUtf8 = Buffer.buffer("{\"t\":\"ping\",\"x\":\"").appendByte((byte) 0xFF).appendString("\"}");
    Buffer raw = transport.equals("ws")
        ? invalidUtf8
        : Buffer.buffer().appendInt(8 + invalidUtf8.length()).appendUnsignedShort(Op.PING.code())
            .appendByte((byte) 1).appendByte((byte) 0).appendBuffer(invalidUtf8);
    client.sendRaw(raw);
    assertEquals("bad_request", await(client.next(Op.ERROR)).getString("code"));
    assertEquals("pong", await(client.request(Op.PING, null)).getString("t"));
  }

  @Test
  void tcpRawBytesMayBeSplitAnywhere() throws Exception {
    ImClient client = connect("tcp");
    Buffer frame = TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", "mine"));
    client.sendRaw(frame.slice(0, 3));
    client.sendRaw(frame.slice(3, frame.length()));
    assertEquals("mine", await(client.next(Op.PONG)).getString("id"));
  }

  @Test
  void tcpLostFramingIsFatal() throws Exception {
    ImClient client = connect("tcp");
    client.sendRaw(Buffer.buffer().appendInt(3).appendInt(0));
    assertEquals("bad_request", await(client.next(Op.ERROR)).getString("code"));
    await(client.closed());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "tcp"})
  void closeFailsWaitersAndCompletesClosed(String transport) throws Exception {
    ImClient client = connect(transport);
    Future<JsonObject> waiting = client.next(Op.MSG);
    client.close();
    await(client.closed());
    ImException e = failure(waiting);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void frameHandlerTakesUnclaimedFrames() throws Exception {
    ImClient client = connect("ws").recordFrames(false);
    List<JsonObject> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    client.frameHandler(seen::add);
    await(client.auth("good", "d1"));
    await(client.request(Op.SEND, new JsonObject().put("cmid", "c9")));
    assertEquals(List.of("msg"), seen.stream().map(f -> f.getString("t")).toList());
    assertTrue(client.received().isEmpty());
  }
}
