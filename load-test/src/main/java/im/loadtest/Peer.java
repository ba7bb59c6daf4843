package im.loadtest;

import im.protocol.Op;
import im.protocol.client.ImClient;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.BitSet;

/**
 * The receiving side of a pair: takes the frames no request claims, counts {@code msg} deliveries (each
 * message once, by the number in its cmid), checks they arrive in {@code seq} order, and confirms them
 * with {@code recv}, coalesced so a burst costs one {@code recv}, as a real client would.
 *
 * <p>Frames arrive on the connection's event loop, synced messages on the HTTP client's: the state is guarded by
 * this object's lock. {@link LoadStats} is shared and thread-safe.
 */
final class Peer implements Handler<JsonObject> {

  private static final long RECV_COALESCE_MS = 10;

  private final Vertx vertx;
  private ImClient client;
  private final RunId runId;
  private final LoadStats stats;
  /** Message numbers already delivered: one bit per message, so duplicates and reorderings tell apart. */
  private final BitSet seen = new BitSet();
  private long lastSeq;
  private String recvConv;
  private boolean recvScheduled;

  Peer(Vertx vertx, ImClient client, RunId runId, LoadStats stats) {
    this.vertx = vertx;
    this.client = client;
    this.runId = runId;
    this.stats = stats;
  }

  @Override
  public void handle(JsonObject frame) {
    String t = String.valueOf(frame.getValue("t"));
    if (t.equals(Op.MSG.wireName())) {
      onMsg(frame);
    } else if (t.equals(Op.ERROR.wireName())) {
      stats.error(String.valueOf(frame.getValue("code")));
    } else if (t.equals(Op.KICKED.wireName())) {
      stats.error("kicked_" + frame.getValue("reason"));
    } else if (t.equals(ImClient.MALFORMED)) {
      stats.error("malformed_frame");
    }
  }

  /**
   * The connection dropped: order is judged afresh on the next one (its live frames may come before the gap is
   * filled by {@link #synced}).
   *
   * @return the highest seq seen before the drop, where the sync that fills the gap starts
   */
  synchronized long dropped() {
    long before = lastSeq;
    lastSeq = 0;
    return before;
  }

  /** The connection that replaces the dropped one: {@code recv} goes there from now on. */
  synchronized void attach(ImClient replacement) {
    client = replacement;
  }

  /** A message from {@code sync}: counted like a live one (once, by its number), not judged for order. */
  synchronized void synced(JsonObject msg) {
    accept(msg, false);
  }

  private synchronized void onMsg(JsonObject msg) {
    if (accept(msg, true)) {
      scheduleRecv(msg.getString("conv"));
    }
  }

  /** @return whether the message was new */
  private boolean accept(JsonObject msg, boolean live) {
    if ("system".equals(msg.getValue("kind"))) {
      return false;
    }
    long seq = msg.getLong("seq", 0L);
    int n = runId.messageNumber(msg.getValue("cmid"));
    if (n < 0) {
      stats.error("foreign_msg");
      return false;
    }
    if (seen.get(n)) {
      stats.duplicate();
      return false;
    }
    seen.set(n);
    if (live && seq < lastSeq) {
      stats.outOfOrder();
    }
    lastSeq = Math.max(lastSeq, seq);
    JsonObject body = msg.getJsonObject("body");
    long dueMs = RunId.dueMs(body == null ? null : body.getValue("text"));
    stats.delivered(System.currentTimeMillis() - (dueMs > 0 ? dueMs : msg.getLong("ts", 0L)));
    return true;
  }

  private void scheduleRecv(String conv) {
    recvConv = conv;
    if (!recvScheduled) {
      recvScheduled = true;
      vertx.setTimer(RECV_COALESCE_MS, timer -> {
        synchronized (this) {
          recvScheduled = false;
          client.send(Op.RECV, new JsonObject().put("conv", recvConv).put("seq", lastSeq));
        }
      });
    }
  }
}
