package im.protocol.client;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A realtime protocol client over WebSocket or TCP, for end-to-end tests and the load generator.
 * Non-blocking: every wait is a {@link Future}.
 *
 * <p>Every received frame is a JsonObject whose {@code "t"} is the op's wire name (added from the op code
 * on TCP). A frame the client cannot decode is recorded as {@code {"t":"_malformed","reason":...}}.
 * Frames are routed, in this order:
 * <ol>
 *   <li>a frame whose {@code "id"} equals a pending {@link #request}'s id completes that request;
 *   <li>while {@link #auth} waits, an {@code auth_ok} or {@code error} frame without a matching id completes it
 *       (servers need not echo the id of {@code auth});
 *   <li>any other frame goes to the {@link #frameHandler} if one is set, else to the first waiting
 *       {@link #next} that accepts its op, else to a queue that later {@code next} calls take from, oldest first.
 * </ol>
 * A frame claimed by a request or by auth is never handed to {@code next}. Every frame is in
 * {@link #received()} unless recording is off.
 *
 * <p>Thread-safe: methods may be called from any thread; frames arrive on the connection's event loop and
 * futures complete there (or on the calling thread when the answer is already queued). Waits fail with
 * {@link ImException} {@code unavailable} on timeout or when the connection closes first.
 */
public abstract class ImClient {

  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final String MALFORMED = "_malformed";

  private final Vertx vertx;
  private final Promise<Void> closed = Promise.promise();
  private final List<JsonObject> received = new ArrayList<>();
  private final Deque<JsonObject> queue = new ArrayDeque<>();
  private final List<Wait> waiters = new ArrayList<>();
  private final Map<String, Wait> requests = new HashMap<>();
  private long timeoutMs = DEFAULT_TIMEOUT_MS;
  private long nextRequestId;
  private boolean recording = true;
  private boolean isClosed;
  private Wait authWait;
  private Handler<JsonObject> frameHandler;

  ImClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Connects to {@code ws://host:port/ws} with a WebSocket client of its own, closed with the connection. */
  public static Future<ImClient> ws(Vertx vertx, String host, int port) {
    return WsImClient.connect(vertx, WsImClient.newClient(vertx), true, host, port);
  }

  /** Connects with a shared WebSocket client, which the caller keeps and closes. */
  public static Future<ImClient> ws(Vertx vertx, WebSocketClient client, String host, int port) {
    return WsImClient.connect(vertx, client, false, host, port);
  }

  /** Connects to the TCP gateway with a NetClient of its own, closed with the connection. */
  public static Future<ImClient> tcp(Vertx vertx, String host, int port) {
    return TcpImClient.connect(vertx, vertx.createNetClient(), true, host, port);
  }

  /** Connects with a shared NetClient, which the caller keeps and closes. */
  public static Future<ImClient> tcp(Vertx vertx, NetClient client, String host, int port) {
    return TcpImClient.connect(vertx, client, false, host, port);
  }

  /** {@code "ws"} or {@code "tcp"}. */
  public abstract String transport();

  /** Sends raw bytes: as they are on TCP, as one text frame holding these bytes on WebSocket. */
  public abstract void sendRaw(Buffer bytes);

  /** WebSocket close status sent by the server; {@code null} for TCP or when none was given. */
  public abstract Integer closeStatus();

  /** Closes the connection; {@link #closed()} completes once it is closed. */
  public abstract void close();

  abstract Future<Void> write(Op op, JsonObject body);

  /** Fire and forget; {@code body} is copied, never modified. */
  public void send(Op op, JsonObject body) {
    write(op, copyOf(body));
  }

  /**
   * Sends {@code body} with a fresh {@code "id"} (replacing any) and completes with the first frame that
   * carries that id, whatever its op ({@code ack}, {@code ok}, {@code pong}, {@code error}, ...).
   */
  public Future<JsonObject> request(Op op, JsonObject body) {
    return request(op, body, false);
  }

  /** {@link #auth(String, String, String)} without a platform. */
  public Future<JsonObject> auth(String token, String device) {
    return auth(token, device, null);
  }

  /** Completes with the {@code auth_ok} frame; fails with {@code ImException(code)} when an error frame answers. */
  public Future<JsonObject> auth(String token, String device, String platform) {
    JsonObject body = new JsonObject().put("token", token).put("device", device);
    if (platform != null) {
      body.put("platform", platform);
    }
    return request(Op.AUTH, body, true);
  }

  /** The next frame of this op not yet taken; queued frames first. */
  public Future<JsonObject> next(Op op) {
    return nextMatching(op);
  }

  /** The next frame of any op not yet taken; queued frames first. */
  public Future<JsonObject> next() {
    return nextMatching(null);
  }

  /** A snapshot of every frame received so far, in arrival order. */
  public synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  /** Completes when the connection is closed, by either side. */
  public Future<Void> closed() {
    return closed.future();
  }

  /** Timeout of {@link #next} and {@link #request} waits started from now on. */
  public synchronized ImClient timeout(long millis) {
    this.timeoutMs = millis;
    return this;
  }

  /**
   * Takes every frame no request or auth claims, instead of the {@link #next} queue; called on the event
   * loop. Meant for load generation, where nobody would drain the queue.
   */
  public synchronized ImClient frameHandler(Handler<JsonObject> handler) {
    this.frameHandler = handler;
    return this;
  }

  /** Whether frames are kept for {@link #received()} (default true); turn off for long runs. */
  public synchronized ImClient recordFrames(boolean on) {
    this.recording = on;
    return this;
  }

  /** Called by the transport on the event loop for each decoded frame. */
  final void dispatch(JsonObject frame) {
    Runnable action;
    Handler<JsonObject> handler = null;
    synchronized (this) {
      if (recording) {
        received.add(frame);
      }
      action = claim(frame);
      if (action == null) {
        if (frameHandler != null) {
          handler = frameHandler;
        } else {
          action = offerToWaiters(frame);
        }
      }
    }
    if (action != null) {
      action.run();
    }
    if (handler != null) {
      handler.handle(frame);
    }
  }

  /** Called by the transport once the connection is closed. */
  final void onClosed() {
    List<Wait> failed;
    synchronized (this) {
      if (isClosed) {
        return;
      }
      isClosed = true;
      failed = new ArrayList<>(waiters);
      failed.addAll(requests.values());
      waiters.clear();
      requests.clear();
      authWait = null;
    }
    failed.forEach(wait -> wait.fail("connection closed before " + wait.what));
    closed.tryComplete();
  }

  private Future<JsonObject> request(Op op, JsonObject body, boolean auth) {
    JsonObject copy = copyOf(body);
    Wait wait;
    synchronized (this) {
      if (isClosed) {
        return Future.failedFuture(closedError(op.wireName() + " reply"));
      }
      String id = "q" + (++nextRequestId);
      copy.put("id", id);
      wait = new Wait(null, op.wireName() + " reply (id " + id + ")", auth);
      wait.requestId = id;
      requests.put(id, wait);
      if (auth) {
        authWait = wait;
      }
      startTimer(wait);
    }
    write(op, copy).onFailure(e -> forget(wait, "write failed: " + e.getMessage()));
    return wait.promise.future();
  }

  private Future<JsonObject> nextMatching(Op op) {
    synchronized (this) {
      for (Iterator<JsonObject> it = queue.iterator(); it.hasNext(); ) {
        JsonObject frame = it.next();
        if (accepts(op, frame)) {
          it.remove();
          return Future.succeededFuture(frame);
        }
      }
      String what = op == null ? "next frame" : op.wireName() + " frame";
      if (isClosed) {
        return Future.failedFuture(closedError(what));
      }
      Wait wait = new Wait(op, what, false);
      waiters.add(wait);
      startTimer(wait);
      return wait.promise.future();
    }
  }

  /** A request reply or the auth answer, as the action completing its waiter; else {@code null}. */
  private Runnable claim(JsonObject frame) {
    Wait wait = frame.getValue("id") instanceof String id ? requests.remove(id) : null;
    String t = stringOf(frame, "t");
    if (wait == null && authWait != null && (Op.AUTH_OK.wireName().equals(t) || Op.ERROR.wireName().equals(t))) {
      wait = authWait;
      requests.remove(wait.requestId);
    }
    if (wait == null) {
      return null;
    }
    if (wait == authWait) {
      authWait = null;
    }
    vertx.cancelTimer(wait.timer);
    Wait claimed = wait;
    if (claimed.auth && Op.ERROR.wireName().equals(t)) {
      ImException refused = new ImException(ErrorCode.fromWireName(stringOf(frame, "code")),
          String.valueOf(stringOf(frame, "message")));
      return () -> claimed.promise.tryFail(refused);
    }
    return () -> claimed.promise.tryComplete(frame);
  }

  private Runnable offerToWaiters(JsonObject frame) {
    for (Iterator<Wait> it = waiters.iterator(); it.hasNext(); ) {
      Wait wait = it.next();
      if (accepts(wait.op, frame)) {
        it.remove();
        vertx.cancelTimer(wait.timer);
        return () -> wait.promise.tryComplete(frame);
      }
    }
    queue.add(frame);
    return null;
  }

  private void startTimer(Wait wait) {
    long millis = timeoutMs;
    wait.timer = vertx.setTimer(millis, t -> forget(wait, "no " + wait.what + " within " + millis + " ms"));
  }

  private void forget(Wait wait, String reason) {
    boolean removed;
    synchronized (this) {
      removed = wait.requestId != null ? requests.remove(wait.requestId, wait) : waiters.remove(wait);
      if (authWait == wait) {
        authWait = null;
      }
    }
    if (removed) {
      vertx.cancelTimer(wait.timer);
      wait.promise.tryFail(new ImException(ErrorCode.UNAVAILABLE, reason));
    }
  }

  private static boolean accepts(Op op, JsonObject frame) {
    return op == null || op.wireName().equals(stringOf(frame, "t"));
  }

  /** A server that sends a non-string where a string belongs must not break the client. */
  private static String stringOf(JsonObject frame, String key) {
    return frame.getValue(key) instanceof String value ? value : null;
  }

  private static ImException closedError(String what) {
    return new ImException(ErrorCode.UNAVAILABLE, "connection closed before " + what);
  }

  private static JsonObject copyOf(JsonObject body) {
    return body == null ? new JsonObject() : body.copy();
  }

  /** One pending {@code next} or request. */
  private static final class Wait {
    final Op op;
    final String what;
    final boolean auth;
    final Promise<JsonObject> promise = Promise.promise();
    String requestId;
    long timer;

    Wait(Op op, String what, boolean auth) {
      this.op = op;
      this.what = what;
      this.auth = auth;
    }

    void fail(String reason) {
      promise.tryFail(new ImException(ErrorCode.UNAVAILABLE, reason));
    }
  }
}
