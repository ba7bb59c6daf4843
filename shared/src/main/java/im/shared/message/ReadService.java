package im.shared.message;

import io.vertx.core.Future;

/** Read cursors (docs/protocol.md §3 read state). */
public interface ReadService {

  /**
   * Moves {@code uid}'s read cursor in {@code conv} up to {@code seq} (never back). When it advances, the
   * reader's other devices (all but {@code connId}, which may be null) and every other member's online
   * devices get S→C {@code read {conv, uid, seq}}. Fails with {@code not_member}/{@code not_found}/{@code bad_request}.
   */
  Future<Void> markRead(String uid, String conv, long seq, String connId);
}
