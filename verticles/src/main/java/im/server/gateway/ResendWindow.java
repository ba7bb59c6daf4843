package im.server.gateway;

import im.server.session.OutboundFrame;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The {@code msg} frames a connection has been sent but has not confirmed with {@code recv}, kept for
 * re-sending (docs/protocol.md §3 delivery). Bounded: when full, the oldest entry is dropped, and the client
 * fills that gap from history. Entries stay in due order because every one waits the same interval.
 *
 * <p>Not thread-safe: one per connection, used on its context; created only once a {@code msg} is sent.
 */
final class ResendWindow {

  private static final class Entry {
    final String conv;
    final long seq;
    final OutboundFrame frame;
    long dueMs;
    int resends;

    Entry(String conv, long seq, OutboundFrame frame, long dueMs) {
      this.conv = conv;
      this.seq = seq;
      this.frame = frame;
      this.dueMs = dueMs;
    }
  }

  private final int capacity;
  private final long intervalMs;
  private final int maxResends;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  ResendWindow(int capacity, long intervalMs, int maxResends) {
    this.capacity = capacity;
    this.intervalMs = intervalMs;
    this.maxResends = maxResends;
  }

  void track(String conv, long seq, OutboundFrame frame, long nowMs) {
    if (entries.size() >= capacity) {
      entries.pollFirst();
    }
    entries.addLast(new Entry(conv, seq, frame, nowMs + intervalMs));
  }

  /** {@code recv {conv, seq}}: everything of {@code conv} up to {@code seq} has arrived. */
  void release(String conv, long seq) {
    Iterator<Entry> it = entries.iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.seq <= seq && entry.conv.equals(conv)) {
        it.remove();
      }
    }
  }

  /**
   * Hands every frame that is due to {@code resend}; an entry re-sent {@code maxResends} times leaves the
   * window (the client will fill the gap from history if it never arrives).
   */
  void resendDue(long nowMs, Consumer<OutboundFrame> resend) {
    ArrayDeque<Entry> again = null;
    while (!entries.isEmpty() && entries.peekFirst().dueMs <= nowMs) {
      Entry entry = entries.pollFirst();
      resend.accept(entry.frame);
      entry.resends++;
      if (entry.resends < maxResends) {
        entry.dueMs = nowMs + intervalMs;
        if (again == null) {
          again = new ArrayDeque<>();
        }
        again.addLast(entry);
      }
    }
    if (again != null) {
      entries.addAll(again);
    }
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  int size() {
    return entries.size();
  }

  /** When the earliest entry falls due; only meaningful when not empty. */
  long nextDueMs() {
    return entries.peekFirst().dueMs;
  }
}
