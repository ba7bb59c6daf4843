package im.server.message;

import im.protocol.Conv;
import im.protocol.MessageKinds;
import im.shared.bus.Addresses;
import im.shared.bus.push.PushBatch;
import im.shared.bus.push.PushItem;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Hands the offline recipients of a fan-out to the node's push verticle (docs/protocol.md §4, Offline push;
 * docs/architecture.md, "Offline push"). Only stored messages that are neither {@code system} nor in a room push,
 * and never to their sender. Who is offline comes from the routes lookup the fan-out does anyway, so the owner
 * pays no extra round trip; mutes and badges are resolved by the push verticle, off the send path.
 *
 * <p>Threading: the owner's context only.
 */
final class OfflinePushes {

  private final Vertx vertx;

  OfflinePushes(Vertx vertx) {
    this.vertx = vertx;
  }

  static boolean pushes(PendingSend send) {
    return send.conv.type != Conv.Type.ROOM && !MessageKinds.SYSTEM.equals(send.command.kind());
  }

  /** Sends one {@link PushBatch} for the members of {@code sends} who are in {@code offline}, if there are any. */
  void offline(List<PendingSend> sends, Set<String> offline) {
    if (offline.isEmpty()) {
      return;
    }
    List<PushItem> items = new ArrayList<>();
    for (PendingSend send : sends) {
      String from = send.command.from();
      List<String> uids = new ArrayList<>();
      for (String uid : send.recipients) {
        if (!uid.equals(from) && offline.contains(uid)) {
          uids.add(uid);
        }
      }
      if (!uids.isEmpty()) {
        items.add(new PushItem(send.command.conv(), send.seq, send.mid, from, send.command.kind(), send.command.body(),
            send.ts, uids));
      }
    }
    if (!items.isEmpty()) {
      vertx.eventBus().send(Addresses.PUSH, new PushBatch(items).toJson());
    }
  }
}
