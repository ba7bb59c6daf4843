package im.server.cluster;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.testing.TestUsers.TestUser;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A client that sends numbered messages into one conversation until stopped, the way docs/protocol.md §3 tells
 * a client to: each message is retried with the same cmid until acked ({@code unavailable}, no answer, or a
 * closed connection), reconnecting to the first node of {@code ports} that takes it. The ports are asked for
 * again at each attempt: a restarted process listens on a port of its own choosing. Runs on its own thread.
 */
final class Sender implements Runnable {

  private static final long MESSAGE_DEADLINE_MS = 40_000;

  final Map<String, JsonObject> acked = new ConcurrentHashMap<>();
  final AtomicInteger reconnects = new AtomicInteger();
  /** The longest a single message waited for its ack, retries included. */
  volatile long longestAckMs;
  volatile Throwable failure;

  private final TestCluster cluster;
  private final TestUser user;
  private final String conv;
  private final List<IntSupplier> ports;
  private final String prefix;
  private final long paceMs;
  private volatile boolean stop;
  private final Thread thread;

  Sender(TestCluster cluster, TestUser user, String conv, List<IntSupplier> ports, String prefix, long paceMs) {
    this.cluster = cluster;
    this.user = user;
    this.conv = conv;
    this.ports = ports;
    this.prefix = prefix;
    this.paceMs = paceMs;
    this.thread = new Thread(this, "sender-" + prefix);
  }

  Sender start() {
    thread.start();
    return this;
  }

  /** Stops after the message under way is acked; fails the test if sending failed. */
  void stop() throws InterruptedException {
    stop = true;
    thread.join(MESSAGE_DEADLINE_MS + 20_000);
    if (thread.isAlive()) {
      throw new AssertionError(prefix + " did not stop");
    }
    if (failure != null) {
      throw new AssertionError(prefix + " failed", failure);
    }
  }

  @Override
  public void run() {
    ImClient client = null;
    try {
      for (int n = 0; !stop; n++) {
        String cmid = prefix + "-" + n;
        JsonObject send = TestCluster.text(cmid, conv, "message " + n);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(MESSAGE_DEADLINE_MS);
        while (true) {
          if (client == null || client.closed().isComplete()) {
            client = connect(deadline);
          }
          JsonObject reply = attempt(client, send);
          if (reply != null && "ack".equals(reply.getString("t"))) {
            acked.put(cmid, reply);
            longestAckMs = Math.max(longestAckMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            break;
          }
          if (reply != null && !ErrorCode.UNAVAILABLE.wireName().equals(reply.getString("code"))) {
            throw new AssertionError("send " + cmid + " refused: " + reply);
          }
          if (System.nanoTime() > deadline) {
            throw new AssertionError("no ack for " + cmid + " within " + MESSAGE_DEADLINE_MS + " ms");
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
        TimeUnit.MILLISECONDS.sleep(paceMs);
      }
    } catch (Throwable e) {
      failure = e;
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  /** The reply, or null when none came (timeout, closed connection). */
  private static JsonObject attempt(ImClient client, JsonObject send) throws InterruptedException {
    try {
      return client.request(Op.SEND, send).await(15, TimeUnit.SECONDS);
    } catch (ImException | TimeoutException e) {
      return null;
    }
  }

  private ImClient connect(long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      for (IntSupplier port : ports) {
        try {
          ImClient client = ImClient.ws(cluster.vertx, "127.0.0.1", port.getAsInt()).await(5, TimeUnit.SECONDS);
          try {
            client.auth(user.token(), "phone").await(5, TimeUnit.SECONDS);
            reconnects.incrementAndGet();
            return client;
          } catch (Exception refused) {
            client.close();
          }
        } catch (Exception down) {
          // that node is down or draining: try the next
        }
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError(prefix + ": no node took the connection");
  }
}
