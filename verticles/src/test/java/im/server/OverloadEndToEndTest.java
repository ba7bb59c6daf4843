package im.server;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.TcpFrameCodec;
import im.protocol.client.ImClient;
import im.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that push a node past the normal: one that stops reading while messages pile up for it (the slow-consumer
 * cut-off bounds what the node holds for it), and one that sends a single cmid hundreds of times at once over
 * several connections (stored and delivered once, every copy answered with the same ack).
 */
class OverloadEndToEndTest {

  private static final long WRITE_QUEUE_MAX_FULL_MS = 1000;
  private static final String PAGE = "x".repeat(4000);

  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(new JsonObject().put("realtime", new JsonObject()
        .put("writeQueueMaxFullMs", WRITE_QUEUE_MAX_FULL_MS).put("sendsPerSecond", 100_000).put("sendBurst", 100_000)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  private static Map<String, Set<String>> routesOf(String uid) {
    return await(node.node().routes().lookup(List.of(uid))).getOrDefault(uid, Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ws"})
  void aClientThatStopsReadingIsCutOffWhileItsPeersAndTheSenderCarryOn(String transport) throws Exception {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    ImClient sender = await(node.connect("ws", alice, "phone"));
    ImClient attentive = await(node.connect("tcp", carol, "phone"));
    attentive.recordFrames(false);
    List<Long> carolGot = new ArrayList<>();
    attentive.frameHandler(frame -> {
      if ("msg".equals(frame.getString("t"))) {
        synchronized (carolGot) {
          carolGot.add(frame.getLong("seq"));
        }
      }
    });

    try (Socket stalled = signInAndStopReading(transport, bob)) {
      Poll.until(() -> !routesOf(bob.uid()).isEmpty(), Duration.ofSeconds(10), "bob to be signed in");

      String toBob = Conv.p2p(alice.uid(), bob.uid());
      String toCarol = Conv.p2p(alice.uid(), carol.uid());
      int sentToBob = 0;
      int sentToCarol = 0;
      long bytesToBob = 0;
      long started = System.nanoTime();
      while (!routesOf(bob.uid()).isEmpty()) {
        assertTrue(sentToBob < 5000, "bob still connected after " + bytesToBob + " bytes were sent his way");
        List<Future<JsonObject>> acks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          acks.add(sender.request(Op.SEND, text("b" + sentToBob++, toBob)));
          bytesToBob += PAGE.length();
        }
        acks.add(sender.request(Op.SEND, text("c" + sentToCarol++, toCarol)));
        Future.all(acks).await(30, TimeUnit.SECONDS);
        acks.forEach(ack -> assertEquals("ack", ack.result().getString("t"), ack.result().encode()));
      }
      long cutOffMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(node.node().sessions().sessionsOf(bob.uid()).isEmpty(), "bob's session released");
      assertSocketEnds(stalled);

      int carolExpected = sentToCarol;
      Poll.until(() -> {
        synchronized (carolGot) {
          return carolGot.size() == carolExpected;
        }
      }, Duration.ofSeconds(10), "carol's messages");
      assertEquals("pong", await(sender.request(Op.PING, new JsonObject())).getString("t"));

      // Back with a client that reads, bob finds every message in sync.
      JsonObject sync = await(node.http().post("/api/v1/sync", bob.token(), new JsonObject().put("convs",
          new JsonArray().add(new JsonObject().put("conv", toBob).put("seq", 0))).put("limit", 1000))).json();
      JsonObject conv = sync.getJsonArray("convs").getJsonObject(0);
      assertEquals(sentToBob, conv.getJsonArray("messages").size() + conv.getLong("missing", 0L),
          "every message for bob stored: " + conv.getJsonArray("messages").size() + " + " + conv.getLong("missing", 0L));
      System.out.printf("slow %s consumer: cut off after %d messages (%.1f MB) for it, %d ms after the first;"
          + " its peer got all %d of its own%n", transport, sentToBob, bytesToBob / 1e6, cutOffMs, sentToCarol);
    }
    sender.close();
    attentive.close();
  }

  @Test
  void oneCmidSentHundredsOfTimesAtOnceFromSeveralConnectionsIsStoredAndDeliveredOnce() {
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    String conv = Conv.p2p(alice.uid(), bob.uid());
    ImClient receiver = await(node.connect("ws", bob, "phone"));
    List<ImClient> connections = List.of(await(node.connect("ws", alice, "phone")),
        await(node.connect("tcp", alice, "tablet")), await(node.connect("ws", alice, "laptop")));
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(connections.get(i % connections.size()).request(Op.SEND, text("storm", conv)));
    }
    Future.all(replies).await();
    Set<String> acks = new HashSet<>();
    replies.forEach(reply -> {
      assertEquals("ack", reply.result().getString("t"), reply.result().encode());
      acks.add(reply.result().getLong("seq") + "/" + reply.result().getString("mid"));
    });
    assertEquals(1, acks.size(), "every copy answered with one ack: " + acks);

    JsonObject after = await(connections.get(0).request(Op.SEND, text("after", conv)));
    List<String> delivered = new ArrayList<>();
    while (true) {
      JsonObject msg = await(receiver.next(Op.MSG));
      if (msg.getString("mid").equals(after.getString("mid"))) {
        break;
      }
      delivered.add(msg.getString("cmid"));
    }
    assertEquals(List.of("storm"), delivered, "delivered once");
    JsonObject history = await(node.http().get("/api/v1/conversations/" + conv + "/messages?after=0&limit=100",
        alice.token())).json();
    assertEquals(2, history.getJsonArray("messages").size(), "stored once: " + history.encode());
    System.out.printf("duplicate storm: 300 copies of one cmid over 3 connections: 1 stored, 1 delivered, %d acks"
        + " all alike%n", replies.size());
    connections.forEach(ImClient::close);
    receiver.close();
  }

  /**
   * Signs {@code user} in over a raw socket with a tiny receive buffer that reads nothing after the WebSocket
   * upgrade's answer: not even {@code auth_ok}.
   */
  private static Socket signInAndStopReading(String transport, TestNode.User user) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    JsonObject auth = new JsonObject().put("token", user.token()).put("device", "phone");
    if ("tcp".equals(transport)) {
      socket.connect(new InetSocketAddress("127.0.0.1", node.node().tcpPort()));
      socket.getOutputStream().write(TcpFrameCodec.encode(Op.AUTH, auth).getBytes());
    } else {
      socket.connect(new InetSocketAddress("127.0.0.1", node.node().httpPort()));
      OutputStream out = socket.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = readHeaders(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 101"), answer);
      out.write(maskedTextFrame(auth.put("t", Op.AUTH.wireName()).encode()));
    }
    socket.getOutputStream().flush();
    return socket;
  }

  private static String readHeaders(InputStream in) throws IOException {
    StringBuilder headers = new StringBuilder();
    while (!headers.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed during the upgrade: " + headers);
      }
      headers.append((char) b);
    }
    return headers.toString();
  }

  /** One final text frame, masked as RFC 6455 requires of a client. */
  private static byte[] maskedTextFrame(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    assertTrue(payload.length < 65536, "a 16-bit length is enough");
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    ByteBuffer frame = ByteBuffer.allocate(8 + payload.length)
        .put((byte) 0x81).put((byte) (0x80 | 126)).putShort((short) payload.length).put(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.put((byte) (payload[i] ^ mask[i % 4]));
    }
    return frame.array();
  }

  /** The server closed the socket: what it had already handed to the kernel drains, then the stream ends. */
  private static void assertSocketEnds(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    byte[] buffer = new byte[65536];
    try {
      while (socket.getInputStream().read(buffer) >= 0) {
        // draining
      }
    } catch (SocketException reset) {
      // a reset ends it as well
    }
  }

  private static JsonObject text(String cmid, String conv) {
    return new JsonObject().put("cmid", cmid).put("conv", conv).put("kind", "text")
        .put("body", new JsonObject().put("text", PAGE));
  }
}
