package im.server.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.server.TestNode.User;
import im.server.api.HttpErrors;
import im.testing.Poll;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile HTTP input against a real node (docs/protocol.md §4, Accounts): media types, idle and trickling connections,
 * aborted uploads, and what a profile may hold.
 */
class HostileHttpTest {

  /** Short, so that the connection tests take a second; the default is 30 s. */
  private static final long REQUEST_TIMEOUT_MS = 400;
  private static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(new JsonObject().put("http", new JsonObject().put("requestTimeoutMs", REQUEST_TIMEOUT_MS)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aJsonEndpointRefusesABodyOfAnotherMediaTypeWith415() {
    User alice = await(node.newUser());
    Buffer login = new JsonObject().put("username", alice.username()).put("password", "wrong-password").toBuffer();
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
      HttpResult refused = await(node.http().postBytes("/api/v1/auth/login", null, login, type));
      assertEquals(415, refused.status(), type);
      assertEquals("bad_request", refused.errorCode(), type);
    }
    assertEquals(415, await(node.http().postBytes("/api/v1/sync", alice.token(), Buffer.buffer("{}"), null)).status(),
        "a body without a Content-Type is refused too");
    assertEquals(401, await(node.http().postBytes("/api/v1/auth/login", null, login, "Application/JSON; charset=utf-8"))
        .status(), "parameters and case do not matter: the wrong password is what is refused");
    assertEquals(200, await(node.http().get("/api/v1/users/me", alice.token())).status(), "no body, no Content-Type needed");
  }

  @Test
  void aProfileHoldsOnlyWebOrLocalAvatarsAndNamesWithoutControlCharacters() {
    User alice = await(node.newUser());
    for (String bad : new String[] {"javascript:alert(1)", "data:image/png;base64,AAAA", "//evil.example/a.png",
        "ftp://files.example/a.png", "https:///no-host", "/media/a b", "relative/path.png"}) {
      HttpResult refused = await(node.http().patch("/api/v1/users/me", alice.token(), new JsonObject().put("avatarUrl", bad)));
      assertEquals(400, refused.status(), bad);
    }
    for (String good : new String[] {"https://cdn.example/a.png", "http://cdn.example/a.png?s=64", "/media/abc123"}) {
      assertEquals(204, await(node.http().patch("/api/v1/users/me", alice.token(),
          new JsonObject().put("avatarUrl", good))).status(), good);
      assertEquals(good, me(alice).getString("avatarUrl"));
    }

    // U+202E would show "evil" as "live" reversed in other users' clients; a BEL and an isolate are dropped too.
    assertEquals(204, await(node.http().patch("/api/v1/users/me", alice.token(),
        new JsonObject().put("displayName", "\u202Eev\u0007il\u2066 "))).status());
    assertEquals("evil", me(alice).getString("displayName"));
    assertEquals(400, await(node.http().patch("/api/v1/users/me", alice.token(),
        new JsonObject().put("displayName", "\u202E\u0000\u200F"))).status(), "nothing left is no name");

    String username = "hyg" + System.nanoTime() % 1_000_000_000;
    HttpResult registered = await(node.http().post("/api/v1/auth/register", null, new JsonObject()
        .put("username", username).put("password", "password-123").put("displayName", "Bo\u202Bb\r\n")));
    assertEquals(201, registered.status(), registered.raw().toString());
    assertEquals("Bob", await(node.http().get("/api/v1/users/" + registered.json().getString("uid"), alice.token()))
        .json().getString("displayName"));
  }

  @Test
  void anIdleOrTricklingConnectionIsClosedAndAWebSocketIsNot() throws Exception {
    User alice = await(node.newUser());
    ImClient ws = await(node.connect("ws", alice, "w"));
    long started = System.nanoTime();
    try (Socket idle = open(); Socket trickling = open(); Socket keptAlive = open()) {
      OutputStream out = trickling.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      keptAlive.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

      assertClosedByServer(idle, null);
      // One header line per read timeout: never idle for long, never a whole request.
      assertClosedByServer(trickling, () -> out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertClosedByServer(keptAlive, null);
    }
    long elapsedMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertTrue(elapsedMs >= REQUEST_TIMEOUT_MS, "closed after the timeout, not before: " + elapsedMs + " ms");

    // Once the WebSocket has been open for three HTTP timeouts, it still answers: the heartbeat governs it.
    if (elapsedMs < 3 * REQUEST_TIMEOUT_MS) {
      waitMs(3 * REQUEST_TIMEOUT_MS - elapsedMs);
    }
    assertEquals("pong", await(ws.request(Op.PING, new JsonObject())).getString("t"));
    ws.close();
  }

  @Test
  void aClientAbortingMidBodyIsNotAServerError() throws Exception {
    Logger errors = (Logger) LoggerFactory.getLogger(HttpErrors.class);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    Level before = errors.getLevel();
    errors.setLevel(Level.DEBUG);
    errors.addAppender(seen);
    try (Socket aborting = open()) {
      aborting.getOutputStream().write(("POST /api/v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 1000\r\n\r\n{\"username\":").getBytes(StandardCharsets.US_ASCII));
      aborting.getOutputStream().flush();
      // Once the request has reached the server, the client goes away in the middle of the body.
      aborting.setSoTimeout(100);
      assertEquals(-2, readOrTimeout(aborting.getInputStream()), "no answer to half a request");
    }
    try {
      await(Poll.until(node.clientVertx(), () -> Future.succeededFuture(
          seen.list.stream().anyMatch(event -> event.getMessage().contains("client closed the connection")))));
      assertTrue(seen.list.stream().noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN)), seen.list.toString());
    } finally {
      errors.detachAppender(seen);
      errors.setLevel(before);
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Reads until the server closes; {@code step} runs after each quiet read timeout. Fails after 5 s. */
  private static void assertClosedByServer(Socket socket, Step step) throws IOException {
    socket.setSoTimeout(100);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    InputStream in = socket.getInputStream();
    while (System.nanoTime() < deadline) {
      int read;
      try {
        read = readOrTimeout(in);
      } catch (IOException reset) {
        return;
      }
      if (read == -1) {
        return;
      }
      if (read == -2 && step != null) {
        try {
          step.run();
        } catch (IOException closed) {
          return;
        }
      }
    }
    throw new AssertionError("the server kept the connection open for 5 s");
  }

  /** A byte, -1 at the end of the stream, or -2 when nothing came within the socket's timeout. */
  private static int readOrTimeout(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketTimeoutException quiet) {
      return -2;
    }
  }

  /** Time itself is what is tested here: nothing happens that could be awaited instead. */
  private static void waitMs(long ms) {
    await(Future.future(promise -> node.clientVertx().setTimer(ms, id -> promise.complete())));
  }

  private static Socket open() throws IOException {
    return new Socket("127.0.0.1", node.httpPort());
  }

  private static JsonObject me(User user) {
    return await(node.http().get("/api/v1/users/me", user.token())).json();
  }
}
