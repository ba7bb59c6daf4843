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
 * <p>Runs on the connection's event loop only, hence no synchronisation of its own; {@link LoadStats} is
 * shared and thread-safe.
 */
final class Peer implements Handler<JsonObject> {

  private static final long RECV_COALESCE_MS = 10;

  private final Vertx vertx;
  private final ImClient client;
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

  private void onMsg(JsonObject msg) {
    if ("system".equals(msg.getValue("kind"))) {
      return;
    }
    long seq = msg.getLong("seq", 0L);
    int n = runId.messageNumber(msg.getValue("cmid"));
    if (n < 0) {
      stats.error("foreign_msg");
      return;
    }
    if (seen.get(n)) {
      stats.duplicate();
      return;
    }
    seen.set(n);
    if (seq < lastSeq) {
      stats.outOfOrder();
    }
    lastSeq = Math.max(lastSeq, seq);
    JsonObject body = msg.getJsonObject("body");
    long dueMs = RunId.dueMs(body == null ? null : body.getValue("text"));
    stats.delivered(System.currentTimeMillis() - (dueMs > 0 ? dueMs : msg.getLong("ts", 0L)));
    recvConv = msg.getString("conv");
    if (!recvScheduled) {
      recvScheduled = true;
      vertx.setTimer(RECV_COALESCE_MS, timer -> {
        recvScheduled = false;
        client.send(Op.RECV, new JsonObject().put("conv", recvConv).put("seq", lastSeq));
      });
    }
  }
}
