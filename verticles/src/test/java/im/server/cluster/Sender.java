package im.server.cluster;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A client that sends numbered messages into one conversation until stopped, the way docs/protocol.md §3 tells
 * a client to: each message is retried with the same cmid until acked ({@code unavailable}, no answer, or a
 * closed connection), reconnecting to the first node of {@code endpoints} that takes it. The endpoints are asked
 * for again at each attempt: a restarted process listens on a port of its own choosing. Runs on its own thread.
 */
final class Sender extends BackgroundLoop<Sender> {

  private static final long MESSAGE_DEADLINE_MS = 40_000;

  final Map<String, JsonObject> acked = new ConcurrentHashMap<>();
  final AtomicInteger reconnects = new AtomicInteger();
  /** {@code unavailable} answers, each followed by a retry with the same cmid. */
  final AtomicInteger unavailable = new AtomicInteger();
  /** Messages acked after at least one {@code unavailable} answer or unanswered attempt. */
  final AtomicInteger ackedOnRetry = new AtomicInteger();
  /** The longest a single message waited for its ack, retries included. */
  volatile long longestAckMs;
  /** The longest one attempt waited for its {@code unavailable} answer: how fast a send fails during an outage. */
  volatile long slowestUnavailableMs;

  private final Vertx vertx;
  private final TestUser user;
  private final String conv;
  private final List<Supplier<Endpoint>> endpoints;
  private final String prefix;
  private final long paceMs;

  Sender(Vertx vertx, TestUser user, String conv, List<Supplier<Endpoint>> endpoints, String prefix, long paceMs) {
    super(prefix, MESSAGE_DEADLINE_MS + 20_000);
    this.vertx = vertx;
    this.user = user;
    this.conv = conv;
    this.endpoints = endpoints;
    this.prefix = prefix;
    this.paceMs = paceMs;
  }

  /**
   * Every message this sender had acked is in {@code history} exactly once, with the seq and mid of its ack, and the
   * acks' seqs grew with every message (the sender waits for each ack before the next send): no seq reused or gone
   * back.
   */
  void assertEveryAckStoredOnce(List<JsonObject> history) {
    Map<String, JsonObject> byCmid = new HashMap<>();
    for (JsonObject message : history) {
      JsonObject earlier = byCmid.put(message.getString("cmid"), message);
      if (earlier != null) {
        throw new AssertionError("stored twice: " + message.getString("cmid") + " at seqs " + earlier.getLong("seq")
            + " and " + message.getLong("seq"));
      }
    }
    long previousSeq = 0;
    for (int n = 0; n < acked.size(); n++) {
      String cmid = prefix + "-" + n;
      JsonObject ack = acked.get(cmid);
      if (ack == null) {
        throw new AssertionError(cmid + " has no ack although " + acked.size() + " messages were acked one by one");
      }
      JsonObject stored = byCmid.get(cmid);
      if (stored == null) {
        throw new AssertionError("acked but not stored: " + cmid + " " + ack);
      }
      if (!ack.getLong("seq").equals(stored.getLong("seq")) || !ack.getString("mid").equals(stored.getString("mid"))) {
        throw new AssertionError(cmid + " acked as " + ack + " but stored as " + stored);
      }
      if (ack.getLong("seq") <= previousSeq) {
        throw new AssertionError(cmid + " acked with seq " + ack.getLong("seq") + " after seq " + previousSeq);
      }
      previousSeq = ack.getLong("seq");
    }
  }

  @Override
  void loop() throws Exception {
    ImClient client = null;
    try {
      for (int n = 0; !stopping(); n++) {
        String cmid = prefix + "-" + n;
        JsonObject send = TestCluster.text(cmid, conv, "message " + n);
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MILLISECONDS.toNanos(MESSAGE_DEADLINE_MS);
        for (int attempts = 0; ; attempts++) {
          if (client == null || client.closed().isComplete()) {
            client = connect(deadline);
          }
          long attempted = System.nanoTime();
          JsonObject reply = attempt(client, send);
          if (reply != null && "ack".equals(reply.getString("t"))) {
            acked.put(cmid, reply);
            longestAckMs = Math.max(longestAckMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            if (attempts > 0) {
              ackedOnRetry.incrementAndGet();
            }
            break;
          }
          if (reply != null && !ErrorCode.UNAVAILABLE.wireName().equals(reply.getString("code"))) {
            throw new AssertionError("send " + cmid + " refused: " + reply);
          }
          if (reply != null) {
            unavailable.incrementAndGet();
            slowestUnavailableMs = Math.max(slowestUnavailableMs,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempted));
          }
          if (System.nanoTime() > deadline) {
            throw new AssertionError("no ack for " + cmid + " within " + MESSAGE_DEADLINE_MS + " ms");
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
        TimeUnit.MILLISECONDS.sleep(paceMs);
      }
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
      for (Supplier<Endpoint> node : endpoints) {
        try {
          Endpoint endpoint = node.get();
          ImClient client = ImClient.ws(vertx, endpoint.host(), endpoint.port()).await(5, TimeUnit.SECONDS);
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
