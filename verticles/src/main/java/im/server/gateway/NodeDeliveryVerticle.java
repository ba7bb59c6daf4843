package im.server.gateway;

import im.protocol.Op;
import im.shared.bus.Addresses;
import im.shared.bus.Events;
import im.shared.metrics.ImMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's end of the fan-out: consumes {@link Addresses#nodeDeliver} (cluster-wide, once per node:
 * deploy one instance) and writes each item's frame to the local sessions of its users, except the
 * connection {@code skip}. Writes are batched per event loop: one hop onto each session context that has
 * any recipient, not one per session.
 */
public final class NodeDeliveryVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDeliveryVerticle.class);

  private record Write(ClientSession session, OutboundFrame frame) {}

  private final String nodeId;
  private final LocalSessions sessions;
  private final ImMetrics metrics;
  private MessageConsumer<JsonObject> consumer;

  public NodeDeliveryVerticle(String nodeId, LocalSessions sessions, ImMetrics metrics) {
    this.nodeId = nodeId;
    this.sessions = sessions;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodeDeliver(nodeId), message -> dispatch(message.body()));
    // Registration is cluster-wide and asynchronous: a fan-out sent before it completes would be lost.
    return consumer.completion();
  }

  /** One deliver event {@code {items:[{uids, skip, t, body}]}}; callable from any thread. */
  void dispatch(JsonObject event) {
    JsonArray items = event == null ? null : event.getJsonArray(Events.ITEMS);
    if (items == null) {
      LOG.warn("deliver event without items ignored");
      return;
    }
    Map<Context, List<Write>> byContext = new IdentityHashMap<>();
    int delivered = 0;
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      Op op = Op.fromName(item.getString(Events.OP));
      JsonObject body = item.getJsonObject(Events.BODY);
      JsonArray uids = item.getJsonArray(Events.UIDS);
      if (op == null || body == null || uids == null) {
        LOG.warn("malformed deliver item ignored: op {}", item.getValue(Events.OP));
        continue;
      }
      String skip = item.getString(Events.SKIP);
      OutboundFrame frame = new OutboundFrame(op, body);
      for (int u = 0; u < uids.size(); u++) {
        for (ClientSession session : sessions.sessionsOf(uids.getString(u))) {
          if (!session.connId().equals(skip)) {
            byContext.computeIfAbsent(session.context(), c -> new ArrayList<>()).add(new Write(session, frame));
            if (op == Op.MSG) {
              delivered++;
            }
          }
        }
      }
    }
    byContext.forEach((context, writes) -> context.runOnContext(v -> writes.forEach(w -> w.session().deliverHere(w.frame()))));
    if (delivered > 0) {
      metrics.messagesDelivered(delivered);
    }
  }
}
