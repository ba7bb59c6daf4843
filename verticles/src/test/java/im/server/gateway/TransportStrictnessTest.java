package im.server.gateway;

import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.shared.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each transport does with bytes a well-behaved client never sends (docs/protocol.md §3, RFC 6455). */
class TransportStrictnessTest {

  private static final int MAX = 1024;

  private Vertx vertx;
  private GatewayHarness node;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject());
  }

  @AfterEach
  void stop() throws Exception {
    // Vert.x does not close WebSockets on shutdown: the drain does, as it will on SIGTERM.
    node.sessions.drain().await(5, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private WsTestClient wsSignedIn() throws Exception {
    WsTestClient client = WsTestClient.open(vertx, node.httpPort);
    client.auth("u" + Ids.newId(), "d1");
    return client;
  }

  private TcpTestClient tcpSignedIn() throws Exception {
    TcpTestClient client = TcpTestClient.connect(vertx, node.tcpPort);
    client.auth("u" + Ids.newId(), "d1");
    return client;
  }

  private static String pingWithPadding(int totalBytes) {
    String head = "{\"t\":\"ping\",\"pad\":\"";
    return head + "x".repeat(totalBytes - head.length() - 2) + "\"}";
  }

  // ---------------------------------------------------------------- WebSocket

  @Test
  void wsUnknownOpOrMissingOpIsBadRequestAndKeepsTheConnection() throws Exception {
    WsTestClient client = wsSignedIn();
    client.sendText("{\"t\":\"teleport\",\"id\":3}");
    client.expectError("bad_request");
    client.sendText("{\"id\":3}");
    client.expectError("bad_request");
    client.sync();
  }

  @Test
  void wsInvalidUtf8ClosesWith1007() throws Exception {
    WsTestClient client = wsSignedIn();
    byte[] bytes = "{\"t\":\"ping\",\"id\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
    byte[] broken = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, broken, 0, bytes.length - 2);
    broken[bytes.length - 2] = (byte) 0xC3; // a lead byte followed by '"': not UTF-8
    broken[bytes.length - 1] = '"';
    broken[bytes.length] = '}';
    client.sendFrame(true, 0, WsTestClient.TEXT, broken);
    assertEquals(1007, client.closeCode());
  }

  @Test
  void wsBinaryFrameClosesWith1003() throws Exception {
    WsTestClient client = wsSignedIn();
    client.sendFrame(true, 0, WsTestClient.BINARY, "{\"t\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(1003, client.closeCode());
  }

  @Test
  void wsRsvBitClosesWith1002() throws Exception {
    WsTestClient client = wsSignedIn();
    client.sendFrame(true, 0b100, WsTestClient.TEXT, "{\"t\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(1002, client.closeCode());
  }

  @Test
  void wsFrameOverTheMaximumGetsTooLargeAndClosesWith1009() throws Exception {
    WsTestClient client = wsSignedIn();
    client.sendText(pingWithPadding(MAX + 1));
    client.expectError("too_large");
    assertEquals(1009, client.closeCode());
  }

  @Test
  void wsFrameAtTheMaximumIsAccepted() throws Exception {
    WsTestClient client = wsSignedIn();
    String ping = pingWithPadding(MAX);
    assertEquals(MAX, ping.getBytes(StandardCharsets.UTF_8).length);
    client.sendText(ping);
    client.expect(Op.PONG);
  }

  @Test
  void wsFragmentedMessagesAreAssembledAndBoundedAsAWhole() throws Exception {
    WsTestClient client = wsSignedIn();
    byte[] ping = "{\"t\":\"ping\",\"id\":\"frag\"}".getBytes(StandardCharsets.UTF_8);
    client.sendFrame(false, 0, WsTestClient.TEXT, java.util.Arrays.copyOfRange(ping, 0, 10));
    client.sendFrame(true, 0, WsTestClient.CONTINUATION, java.util.Arrays.copyOfRange(ping, 10, ping.length));
    assertEquals("frag", client.expect(Op.PONG).getString("id"));

    byte[] big = pingWithPadding(MAX + 200).getBytes(StandardCharsets.UTF_8);
    client.sendFrame(false, 0, WsTestClient.TEXT, java.util.Arrays.copyOfRange(big, 0, 700));
    client.sendFrame(true, 0, WsTestClient.CONTINUATION, java.util.Arrays.copyOfRange(big, 700, big.length));
    client.expectError("too_large");
    assertEquals(1009, client.closeCode());
  }

  @Test
  void wsOriginOutsideTheAllowListIsRefusedAtTheHandshake() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject().put("http",
        new JsonObject().put("allowedOrigins", new io.vertx.core.json.JsonArray().add("https://chat.example"))));
    WsTestClient refused = WsTestClient.connect(vertx, node.httpPort, "https://evil.example");
    assertEquals(403, refused.handshakeStatus());
    refused.awaitClosed();
    assertEquals(101, WsTestClient.connect(vertx, node.httpPort, "https://chat.example").handshakeStatus());
    assertEquals(101, WsTestClient.connect(vertx, node.httpPort, null).handshakeStatus());
  }

  @Test
  void wsAnyOriginIsAllowedWhileTheAllowListIsEmpty() throws Exception {
    // The default: tokens travel in the first frame, never in cookies, so a page on another origin has no session to
    // borrow (docs/protocol.md §3).
    assertEquals(101, WsTestClient.connect(vertx, node.httpPort, "https://anywhere.example").handshakeStatus());
    assertEquals(101, WsTestClient.connect(vertx, node.httpPort, "null").handshakeStatus());
  }

  @Test
  void wsServerPings() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject().put("realtime", new JsonObject().put("wsPingIntervalMs", 100)));
    WsTestClient client = wsSignedIn();
    // Four intervals: the server pings, our client answers each with a pong, so the server keeps it.
    vertx.timer(400).await(5, TimeUnit.SECONDS);
    client.sync();
    assertTrue(client.pingsReceived() >= 2, "pings received: " + client.pingsReceived());
  }

  // ---------------------------------------------------------------- TCP

  @Test
  void tcpFramesSplitAndCoalescedAreDecoded() throws Exception {
    TcpTestClient client = tcpSignedIn();
    Buffer three = Buffer.buffer()
        .appendBuffer(TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", 1)))
        .appendBuffer(TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", 2)))
        .appendBuffer(TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", 3)));
    client.writeRaw(three);
    for (int id = 1; id <= 3; id++) {
      assertEquals(id, client.expect(Op.PONG).getInteger("id"));
    }
    Buffer one = TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", 4));
    for (int i = 0; i < one.length(); i++) {
      client.writeRaw(one.getBuffer(i, i + 1));
    }
    assertEquals(4, client.expect(Op.PONG).getInteger("id"));
  }

  @Test
  void tcpUnknownOpCodeIsBadRequestAndKeepsTheConnection() throws Exception {
    TcpTestClient client = tcpSignedIn();
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    client.writeRaw(TcpTestClient.header(TcpFrameCodec.HEADER_BYTES + body.length, 99).appendBytes(body));
    client.expectError("bad_request");
    client.sync();
  }

  @Test
  void tcpOpCodeWinsOverTheTField() throws Exception {
    TcpTestClient client = tcpSignedIn();
    client.send(Op.PING, new JsonObject().put("t", "send").put("id", 9));
    assertEquals(9, client.expect(Op.PONG).getInteger("id"));
  }

  @Test
  void tcpFrameOverTheMaximumGetsTooLargeAndCloses() throws Exception {
    TcpTestClient client = tcpSignedIn();
    client.writeRaw(TcpTestClient.header(MAX + 1, Op.PING.code()));
    client.expectError("too_large");
    client.awaitClosed();
  }

  @Test
  void tcpLostFramingIsBadRequestAndCloses() throws Exception {
    TcpTestClient client = tcpSignedIn();
    client.writeRaw(TcpTestClient.header(3, Op.PING.code()));
    client.expectError("bad_request");
    client.awaitClosed();
  }

  @Test
  void tcpSilentConnectionIsClosed() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    node = GatewayHarness.start(vertx, new JsonObject().put("realtime", new JsonObject().put("tcpIdleTimeoutMs", 300)));
    TcpTestClient client = tcpSignedIn();
    long started = System.nanoTime();
    client.awaitClosed();
    assertTrue(System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(250), "closed before the idle timeout");
  }
}
