package im.server.push;

import im.shared.bus.Addresses;
import im.shared.bus.push.PushBatch;
import im.shared.bus.push.PushItem;
import im.shared.config.ImConfig;
import im.shared.events.EventPublisher;
import im.shared.message.PersistenceBarrier;
import im.shared.metrics.ImMetrics;
import im.shared.store.PushAudience;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Offline push (docs/protocol.md §4, Offline push; docs/architecture.md, "Offline push"), deployed once per node when
 * {@code IM_PUSH_WEBHOOK_URL} or {@code IM_KAFKA_BOOTSTRAP} is set. It takes the {@link PushBatch}es this node's
 * owners send on {@link Addresses#PUSH}, resolves mutes and badges with one {@link PushAudience} query for everything
 * that arrived since the previous query (so a busy node still makes one query per batch or fewer, and pushes keep
 * their order), and hands one payload per recipient to the {@link WebhookSender} (with a webhook) and to topic
 * {@code im.push} (with Kafka): the same bytes to both.
 *
 * <p>Threading: everything runs on this verticle's context.
 */
public final class PushVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PushVerticle.class);
  /** Recipients resolved by one query at most: bounds its parameters when many large groups fan out at once. */
  static final int MAX_RECIPIENTS_PER_QUERY = 5000;

  private final ImConfig.Push config;
  private final PushAudience audience;
  private final PersistenceBarrier stored;
  private final ImMetrics metrics;
  private final EventPublisher topic;
  private final Deque<PushItem> waiting = new ArrayDeque<>();
  private int waitingRecipients;
  private boolean resolving;
  /** Null without a webhook. */
  private WebhookSender sender;

  /**
   * @param stored what the badge query waits for: in Kafka mode the messages behind a push may be acked but not yet
   *               stored, and the badge (unread over all of the member's conversations) would miss them
   * @param topic  where pushes are published besides the webhook; {@link EventPublisher#NONE} without Kafka
   */
  public PushVerticle(ImConfig.Push config, PushAudience audience, PersistenceBarrier stored, ImMetrics metrics,
                      EventPublisher topic) {
    this.config = config;
    this.audience = audience;
    this.stored = stored;
    this.metrics = metrics;
    this.topic = topic;
  }

  @Override
  public Future<?> start() {
    if (config.enabled()) {
      if (config.webhookSecret().isEmpty()) {
        LOG.warn("IM_PUSH_WEBHOOK_SECRET is empty: offline pushes to {} are sent unsigned", config.webhookUrl());
      }
      sender = new WebhookSender(vertx, context, config, metrics);
    }
    MessageConsumer<JsonObject> consumer = vertx.eventBus().localConsumer(Addresses.PUSH, this::onBatch);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    if (sender != null) {
      sender.stop();
    }
    return Future.succeededFuture();
  }

  private void onBatch(Message<JsonObject> message) {
    for (PushItem item : PushBatch.fromJson(message.body()).items()) {
      waiting.addLast(item);
      waitingRecipients += item.uids().size();
    }
    // The same bound as the sender's queue: while the database is away, the oldest waiting pushes go first.
    while (waitingRecipients > config.queueSize() && waiting.size() > 1) {
      PushItem dropped = waiting.removeFirst();
      waitingRecipients -= dropped.uids().size();
      dropped.uids().forEach(uid -> metrics.pushDropped());
    }
    if (!resolving) {
      resolveWaiting();
    }
  }

  private void resolveWaiting() {
    List<PushItem> items = new ArrayList<>();
    List<PushAudience.Recipient> recipients = new ArrayList<>();
    while (!waiting.isEmpty()
        && (items.isEmpty() || recipients.size() + waiting.peekFirst().uids().size() <= MAX_RECIPIENTS_PER_QUERY)) {
      PushItem item = waiting.removeFirst();
      waitingRecipients -= item.uids().size();
      items.add(item);
      item.uids().forEach(uid -> recipients.add(new PushAudience.Recipient(uid, item.conv())));
    }
    resolving = true;
    stored.awaitAll()
        .compose(v -> audience.resolve(recipients))
        .onSuccess(found -> submit(items, found))
        .onFailure(failure -> retryLater(items, failure))
        .onComplete(done -> {
          resolving = false;
          if (!waiting.isEmpty() && done.succeeded()) {
            resolveWaiting();
          }
        });
  }

  private void submit(List<PushItem> items, PushAudience.Audience found) {
    for (PushItem item : items) {
      for (String uid : item.uids()) {
        if (found.pushes(uid, item.conv())) {
          Buffer payload = PushPayload.of(item, uid, found.badge(uid), config.previews()).toBuffer();
          if (sender != null) {
            sender.submit(payload);
          }
          topic.publishPush(uid, payload);
        }
      }
    }
  }

  /** Mutes and badges live in PostgreSQL: while it is away the pushes wait (bounded) and are resolved later. */
  private void retryLater(List<PushItem> items, Throwable failure) {
    LOG.warn("cannot resolve {} offline pushes (retrying in {} ms): {}", items.size(), config.firstRetryMs(),
        failure.getMessage());
    for (int i = items.size() - 1; i >= 0; i--) {
      waiting.addFirst(items.get(i));
      waitingRecipients += items.get(i).uids().size();
    }
    vertx.setTimer(config.firstRetryMs(), id -> {
      if (!resolving && !waiting.isEmpty()) {
        resolveWaiting();
      }
    });
  }
}
