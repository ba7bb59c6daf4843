package im.server.gateway;

import im.protocol.Frame;
import im.protocol.Op;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client written on a raw TCP socket, so that tests can send what a polite client never
 * would (invalid UTF-8, RSV bits, binary and oversized frames) and see the close code the server sends.
 */
final class WsTestClient extends TestClient {

  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CONTINUATION = 0x0;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  private final NetClient netClient;
  private final NetSocket socket;
  private final CompletableFuture<Integer> handshakeStatus = new CompletableFuture<>();
  private final AtomicInteger pingsReceived = new AtomicInteger();
  private volatile int closeCode = -1;
  private Buffer pending = Buffer.buffer();
  private boolean upgraded;

  private WsTestClient(NetClient netClient, NetSocket socket) {
    this.netClient = netClient;
    this.socket = socket;
    socket.handler(this::onBytes);
    socket.closeHandler(v -> {
      handshakeStatus.complete(-1);
      closed.complete(null);
    });
  }

  /** Connects and upgrades; {@link #handshakeStatus()} says whether the server agreed (101). */
  static WsTestClient connect(Vertx vertx, int port, String origin) throws Exception {
    // The client is kept: Vert.x closes an unreachable NetClient, and its sockets with it, when it is collected.
    NetClient netClient = vertx.createNetClient();
    WsTestClient client = netClient.connect(port, "127.0.0.1")
        .map(socket -> new WsTestClient(netClient, socket))
        .await(WAIT_SECONDS, TimeUnit.SECONDS);
    StringBuilder request = new StringBuilder()
        .append("GET /ws HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n")
        .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
    if (origin != null) {
      request.append("Origin: ").append(origin).append("\r\n");
    }
    client.socket.write(request.append("\r\n").toString());
    return client;
  }

  static WsTestClient open(Vertx vertx, int port) throws Exception {
    WsTestClient client = connect(vertx, port, null);
    if (client.handshakeStatus() != 101) {
      throw new AssertionError("upgrade refused");
    }
    return client;
  }

  int handshakeStatus() throws Exception {
    try {
      return handshakeStatus.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no handshake answer; received so far: " + pending.toString(StandardCharsets.ISO_8859_1));
    }
  }

  /** The status of the server's close frame, -1 without one. */
  int closeCode() {
    awaitClosed();
    return closeCode;
  }

  int pingsReceived() {
    return pingsReceived.get();
  }

  @Override
  void send(Op op, JsonObject body) {
    sendText(new JsonObject().put("t", op.wireName()).mergeIn(body).encode());
  }

  @Override
  void sendRaw(Op op, byte[] json) {
    sendFrame(true, 0, TEXT, json);
  }

  void sendText(String text) {
    sendFrame(true, 0, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** One masked frame: {@code rsv} goes into bits 4-6 of the first byte. */
  void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) {
    Buffer frame = Buffer.buffer();
    frame.appendByte((byte) ((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    if (payload.length < 126) {
      frame.appendByte((byte) (0x80 | payload.length));
    } else if (payload.length < 65536) {
      frame.appendByte((byte) (0x80 | 126)).appendUnsignedShort(payload.length);
    } else {
      frame.appendByte((byte) (0x80 | 127)).appendLong(payload.length);
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.appendBytes(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    socket.write(frame.appendBytes(masked));
  }

  @Override
  void close() {
    netClient.close();
  }

  private void onBytes(Buffer chunk) {
    pending = pending.appendBuffer(chunk);
    if (!upgraded) {
      String head = pending.toString(StandardCharsets.ISO_8859_1);
      int end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        return;
      }
      int status = Integer.parseInt(head.substring(9, 12));
      handshakeStatus.complete(status);
      upgraded = status == 101;
      pending = pending.getBuffer(end + 4, pending.length());
      if (!upgraded) {
        return;
      }
    }
    while (parseFrame()) {
      // frames are handled as they are parsed
    }
  }

  private boolean parseFrame() {
    if (pending.length() < 2) {
      return false;
    }
    int opcode = pending.getByte(0) & 0x0F;
    int length = pending.getByte(1) & 0x7F;
    int offset = 2;
    if (length == 126) {
      if (pending.length() < 4) {
        return false;
      }
      length = pending.getUnsignedShort(2);
      offset = 4;
    } else if (length == 127) {
      if (pending.length() < 10) {
        return false;
      }
      length = (int) pending.getLong(2);
      offset = 10;
    }
    if (pending.length() < offset + length) {
      return false;
    }
    Buffer payload = pending.getBuffer(offset, offset + length);
    pending = pending.getBuffer(offset + length, pending.length());
    switch (opcode) {
      case TEXT -> {
        JsonObject body = new JsonObject(payload.toString(StandardCharsets.UTF_8));
        received(new Frame(Op.fromName(body.getString("t")), body));
      }
      case CLOSE -> {
        closeCode = payload.length() >= 2 ? payload.getUnsignedShort(0) : 1005;
        socket.close();
      }
      case PING -> {
        pingsReceived.incrementAndGet();
        sendFrame(true, 0, PONG, payload.getBytes());
      }
      default -> { }
    }
    return true;
  }
}
