package im.server.gateway;

import im.protocol.ImException;
import im.protocol.Op;
import im.server.session.OutboundFrame;
import im.shared.config.ImConfig;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way out of one connection: every frame the server writes to it, the re-send window of its {@code msg}
 * frames (re-sent until {@code recv}, docs/protocol.md §3) and the slow-consumer cut-off (a client that has
 * not read for {@code writeQueueMaxFullMs} is cut off, whatever is queued for it dropped; it syncs when it reconnects).
 *
 * <p>Threading: the connection's context only, like its {@link ClientSession}.
 */
final class Downlink {

  private static final Logger LOG = LoggerFactory.getLogger(Downlink.class);

  private final ClientSession session;
  private final Transport transport;
  private final ResendWheel wheel;
  private final ImConfig.Realtime realtime;
  private ResendWindow window;
  private boolean resendScheduled;
  /** When the write queue was first seen full, or 0 while it drains. */
  private long fullSinceMs;

  Downlink(ClientSession session, Transport transport, ResendWheel wheel, ImConfig.Realtime realtime) {
    this.session = session;
    this.transport = transport;
    this.wheel = wheel;
    this.realtime = realtime;
  }

  void write(OutboundFrame frame) {
    transport.write(frame);
    if (fullSinceMs == 0 && transport.writeQueueFull()) {
      fullSinceMs = ResendWheel.nowMs();
      wheel.schedule(this::checkSlowConsumer, realtime.writeQueueMaxFullMs());
    }
  }

  /** A frame of the node's fan-out; {@code msg} frames are kept for re-sending until {@code recv}. */
  void deliver(OutboundFrame frame) {
    write(frame);
    if (frame.op() == Op.MSG && realtime.maxResends() > 0) {
      track(frame);
    }
  }

  /** {@code recv {conv, seq}}: the client has everything of {@code conv} up to {@code seq}. */
  void release(String conv, long seq) {
    if (window != null) {
      window.release(conv, seq);
    }
  }

  /** {@code ok {id}}, whether or not the client gave an id. */
  void ok(Object id) {
    write(new OutboundFrame(Op.OK, withId(new JsonObject(), id)));
  }

  /** {@code ok {id}} if the client gave an id to be answered with; nothing otherwise. */
  void okIfAsked(Object id) {
    if (id != null) {
      ok(id);
    }
  }

  void error(Object id, ImException error) {
    JsonObject body = withId(new JsonObject(), id);
    body.put("code", error.code().wireName()).put("message", error.getMessage());
    write(new OutboundFrame(Op.ERROR, body));
  }

  /** The transport's write queue has room again. */
  void drained() {
    fullSinceMs = 0;
  }

  /** The connection closed: nothing is re-sent any more. */
  void release() {
    window = null;
  }

  static JsonObject withId(JsonObject body, Object id) {
    return id == null ? body : body.put("id", id);
  }

  private void track(OutboundFrame frame) {
    String conv = frame.body().getString("conv");
    Object seq = frame.body().getValue("seq");
    if (conv == null || !(seq instanceof Number number)) {
      return;
    }
    if (window == null) {
      window = new ResendWindow(realtime.resendWindow(), realtime.resendIntervalMs(), realtime.maxResends());
    }
    window.track(conv, number.longValue(), frame, ResendWheel.nowMs());
    scheduleResend();
  }

  private void scheduleResend() {
    if (!resendScheduled && window != null && !window.isEmpty()) {
      resendScheduled = true;
      wheel.schedule(this::resendDue, window.nextDueMs() - ResendWheel.nowMs());
    }
  }

  private void resendDue(long nowMs) {
    resendScheduled = false;
    if (!session.isOpen() || window == null) {
      return;
    }
    // A full queue would only grow with re-sends: wait for it to drain (or for the cut-off).
    if (!transport.writeQueueFull()) {
      window.resendDue(nowMs, this::write);
    }
    if (window.isEmpty()) {
      window = null;
    } else {
      resendScheduled = true;
      wheel.schedule(this::resendDue, Math.max(window.nextDueMs() - nowMs, 1));
    }
  }

  private void checkSlowConsumer(long nowMs) {
    if (fullSinceMs == 0 || session.isEnding()) {
      return;
    }
    long fullFor = nowMs - fullSinceMs;
    if (fullFor >= realtime.writeQueueMaxFullMs()) {
      LOG.info("cutting off slow {} session {} of {}: write queue full for {} ms", transport.name(), session.connId(),
          session.uid(), fullFor);
      session.abort();
    } else {
      wheel.schedule(this::checkSlowConsumer, realtime.writeQueueMaxFullMs() - fullFor);
    }
  }
}
