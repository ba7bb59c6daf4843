package im.server.gateway;

import im.shared.config.ImConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A hashed timing wheel driven by one periodic timer: every deadline of the connections of one context
 * (re-sends, auth timeouts, slow-consumer checks, WebSocket pings) lives here instead of in a timer of its
 * own, so ten thousand idle connections cost one timer.
 *
 * <p>Deadlines fire late by at most one tick, never early. A task is not cancelled: it checks when it
 * fires whether it still matters, which keeps scheduling free of bookkeeping.
 *
 * <p>Threading: one wheel per context, used from that context only ({@link #of}).
 */
final class ResendWheel {

  /** Something to do at a deadline; {@code nowMs} is the wheel's monotonic clock. */
  @FunctionalInterface
  interface Task {
    void fire(long nowMs);
  }

  private static final Logger LOG = LoggerFactory.getLogger(ResendWheel.class);
  private static final String CONTEXT_KEY = ResendWheel.class.getName();
  private static final int SLOTS = 512;
  private static final long MIN_TICK_MS = 10;
  private static final long MAX_TICK_MS = 250;

  private record Entry(Task task, long deadlineMs) {}

  private final long tickMs;
  private final long startMs;
  @SuppressWarnings("unchecked")
  private final List<Entry>[] slots = new List[SLOTS];
  /** The last tick whose slot has been processed. */
  private long processedTick;

  private ResendWheel(Vertx vertx, long tickMs) {
    this.tickMs = tickMs;
    this.startMs = nowMs();
    for (int i = 0; i < SLOTS; i++) {
      slots[i] = new ArrayList<>();
    }
    // A timer set on a verticle's context is cancelled with the verticle, so the wheel needs no close.
    vertx.setPeriodic(tickMs, id -> advance());
  }

  /** The wheel of the current context, created on first use. Call on the context that owns the connections. */
  static ResendWheel of(Vertx vertx, ImConfig.Realtime realtime) {
    Context context = vertx.getOrCreateContext();
    ResendWheel wheel = context.get(CONTEXT_KEY);
    if (wheel == null) {
      wheel = new ResendWheel(vertx, tickFor(realtime));
      context.put(CONTEXT_KEY, wheel);
    }
    return wheel;
  }

  /** A quarter of the shortest deadline the gateway sets, so that none is late by more than 25 %. */
  static long tickFor(ImConfig.Realtime realtime) {
    long shortest = Math.min(Math.min(realtime.resendIntervalMs(), realtime.authTimeoutMs()),
        Math.min(realtime.writeQueueMaxFullMs(), realtime.wsPingIntervalMs()));
    return Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, shortest / 4));
  }

  static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }

  void schedule(Task task, long delayMs) {
    long deadline = nowMs() + Math.max(0, delayMs);
    long tick = Math.max(processedTick + 1, ceilDiv(deadline - startMs, tickMs));
    slots[(int) (tick % SLOTS)].add(new Entry(task, deadline));
  }

  private void advance() {
    long now = nowMs();
    long currentTick = (now - startMs) / tickMs;
    while (processedTick < currentTick) {
      processedTick++;
      fireSlot((int) (processedTick % SLOTS), now);
    }
  }

  private void fireSlot(int index, long now) {
    List<Entry> slot = slots[index];
    if (slot.isEmpty()) {
      return;
    }
    // Tasks may schedule into this very slot while it runs: give them a fresh list.
    slots[index] = new ArrayList<>();
    for (Entry entry : slot) {
      if (entry.deadlineMs > now) {
        slots[index].add(entry);
        continue;
      }
      try {
        entry.task.fire(now);
      } catch (RuntimeException e) {
        LOG.error("gateway timer task failed", e);
      }
    }
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
