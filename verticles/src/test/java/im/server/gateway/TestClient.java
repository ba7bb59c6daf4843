package im.server.gateway;

import im.protocol.Frame;
import im.protocol.Op;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** A client of one transport, read from the test thread: frames queue up as they arrive. */
abstract class TestClient {

  static final long WAIT_SECONDS = 10;

  private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  protected final CompletableFuture<Void> closed = new CompletableFuture<>();

  abstract void send(Op op, JsonObject body);

  abstract void close();

  /** A frame whose JSON text is given as is (TCP: with {@code op} in the header; WS: the op is in the text or not). */
  abstract void sendRaw(Op op, byte[] json);

  protected void received(Frame frame) {
    received.add(frame);
  }

  /** The next frame from the server; fails after a few seconds without one. */
  Frame next() {
    try {
      Frame frame = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(frame, "no frame from the server");
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next frame, which must be {@code op}; returns its body. */
  JsonObject expect(Op op) {
    Frame frame = next();
    assertEquals(op, frame.op(), () -> "unexpected frame " + frame);
    return frame.body();
  }

  /** The next frame must be {@code error {code}}; returns its body. */
  JsonObject expectError(String code) {
    JsonObject error = expect(Op.ERROR);
    assertEquals(code, error.getString("code"), () -> "unexpected error " + error);
    return error;
  }

  /** Waits for the server to close the connection. */
  void awaitClosed() {
    try {
      closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the server did not close the connection", e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /** A ping round trip: every frame the server wrote before the pong has been received. */
  void sync() {
    String id = "sync-" + System.nanoTime();
    send(Op.PING, new JsonObject().put("id", id));
    assertEquals(id, expect(Op.PONG).getString("id"));
  }

  /** auth, then auth_ok's body. */
  JsonObject auth(String uid, String device) {
    send(Op.AUTH, new JsonObject().put("token", "good-" + uid).put("device", device).put("platform", "other"));
    return expect(Op.AUTH_OK);
  }
}
