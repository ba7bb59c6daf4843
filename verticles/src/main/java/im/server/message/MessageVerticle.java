package im.server.message;

import im.protocol.Conv;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.Op;
import im.shared.Ids;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.delivery.RoomDeliverItem;
import im.server.call.CallHandler;
import im.shared.bus.message.Ack;
import im.shared.bus.message.CallCommand;
import im.shared.bus.message.GroupCommand;
import im.shared.bus.message.OwnerCommand;
import im.shared.bus.message.OwnershipChanged;
import im.shared.bus.message.RecallCommand;
import im.shared.bus.message.RoomLookup;
import im.shared.bus.message.SendCommand;
import im.shared.bus.message.TypingCommand;
import im.shared.config.ImConfig;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
import im.shared.message.MessageAppender;
import im.shared.message.MessageWriter;
import im.shared.message.PersistenceBarrier;
import im.shared.metrics.ImMetrics;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.seq.SeqAllocator;
import im.shared.store.GroupStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One owner instance (docs/architecture.md, Message path): every conversation hashed to this instance is served
 * here, on this verticle's single context, so seq allocation, storage and fan-out of a conversation happen in one
 * place and in order. Its API is the local address {@link Addresses#messageInstance}, which takes the
 * {@link OwnerCommand}s. A send passes the {@link SendDeduplicator}, finds its conversation in the
 * {@link ConversationCache}, waits for its batch in the {@link GroupCommitter}, and once stored is acked and
 * handed to the {@link OrderedFanout}; with an event stream configured, each stored message (and the group change it
 * records) and each recall is published in the order it was stored.
 */
public final class MessageVerticle extends VerticleBase implements GroupCommitter.Outcome {

  private static final int MAX_OPEN_CONVERSATIONS = 100_000;
  /** The {@code device} of server-written {@code system} messages. */
  static final String SYSTEM_DEVICE = "server";

  /**
   * The stores an owner instance writes through; the seq allocator holds a Redis connection of its own. Batches are
   * made durable by {@code appender}; {@code barrier} is what reads of the durable state wait for first (both are the
   * direct ones without Kafka: {@link #direct}).
   */
  public record Stores(SeqAllocator seqs, MessageWriter writer, GroupStore groups, MessageAppender appender,
                       PersistenceBarrier barrier) {

    public static Stores direct(SeqAllocator seqs, MessageWriter writer, GroupStore groups) {
      return new Stores(seqs, writer, groups, writer::insert, PersistenceBarrier.NONE);
    }
  }

  private final int index;
  private final ImConfig.Messages config;
  private final ImConfig.Groups groupSettings;
  private final boolean pushOn;
  private final Stores stores;
  private final Fanout fanout;
  private final ImMetrics metrics;
  private final EventPublisher events;
  private final CallHandler.Setup callSetup;

  private SendDeduplicator dedup;
  private ConversationCache conversations;
  private GroupCommitter committer;
  private OrderedFanout orderedFanout;
  private RecallHandler recalls;
  private GroupHandler groups;
  private TypingHandler typing;
  private CallHandler calls;
  private MessageConsumer<JsonObject> consumer;

  public MessageVerticle(int index, ImConfig config, Stores stores, Fanout fanout, ImMetrics metrics,
                         EventPublisher events, CallHandler.Setup callSetup) {
    this.index = index;
    this.config = config.messages();
    this.groupSettings = config.groups();
    // Offline pushes go to the webhook, to topic im.push, or both.
    this.pushOn = config.push().enabled() || events.enabled();
    this.stores = stores;
    this.fanout = fanout;
    this.metrics = metrics;
    this.events = events;
    this.callSetup = callSetup;
  }

  @Override
  public Future<?> start() {
    dedup = new SendDeduplicator(config.cmidCacheSize());
    conversations = new ConversationCache(stores.writer(), stores.groups(), stores.barrier(), MAX_OPEN_CONVERSATIONS);
    orderedFanout = new OrderedFanout(vertx, fanout, pushOn ? new OfflinePushes(vertx) : null);
    committer = new GroupCommitter(vertx, new GroupCommitter.Settings(config.batchMaxRows(), config.batchMaxDelayMs(),
        groupSettings.roomHistoryLimit()), stores.seqs(), stores.writer(), stores.appender(), stores.barrier(), this);
    recalls = new RecallHandler(conversations, stores.writer(), stores.barrier(), orderedFanout, config.recallWindowMs(),
        events);
    groups = new GroupHandler(conversations, new GroupChanges(stores.groups(), groupSettings.maxMembers()));
    typing = new TypingHandler(conversations, fanout);
    calls = new CallHandler(vertx, callSetup, index, this::send);
    consumer = vertx.eventBus().localConsumer(Addresses.messageInstance(index), this::onCommand);
    MessageConsumer<JsonObject> ownership = vertx.eventBus().localConsumer(Addresses.OWNERSHIP_CHANGED, changed -> {
      conversations.clear();
      calls.ownershipChanged(OwnershipChanged.fromJson(changed.body()));
    });
    return Future.join(consumer.completion(), ownership.completion());
  }

  /** Stops taking commands, then stores and acks everything already taken. */
  @Override
  public Future<?> stop() {
    return consumer.unregister()
        .compose(v -> calls.release().recover(e -> Future.succeededFuture()))
        .compose(v -> committer.drain())
        .eventually(() -> stores.seqs().close());
  }

  private void onCommand(Message<JsonObject> message) {
    Future<JsonObject> reply;
    try {
      reply = execute(OwnerCommand.fromJson(message.body()));
    } catch (ImException e) {
      reply = Future.failedFuture(e);
    }
    reply.onSuccess(message::reply).onFailure(failure -> BusErrors.fail(message, failure));
  }

  private Future<JsonObject> execute(OwnerCommand command) {
    if (command instanceof SendCommand send) {
      return send(send).map(Ack::toJson);
    }
    if (command instanceof RecallCommand recall) {
      return recalls.recall(recall).map(v -> new JsonObject());
    }
    if (command instanceof GroupCommand group) {
      return changeGroup(group);
    }
    if (command instanceof TypingCommand typed) {
      return typing.typing(typed).map(v -> new JsonObject());
    }
    if (command instanceof CallCommand call) {
      return calls.handle(call).map(v -> new JsonObject());
    }
    RoomLookup room = (RoomLookup) command;
    return conversations.get(room.conv(), null).map(state -> new JsonObject());
  }

  private Future<Ack> send(SendCommand send) {
    SendDeduplicator.Admission admission = dedup.admit(send.dedupKey());
    if (admission.first()) {
      conversations.get(send.conv(), send.from())
          .onSuccess(conv -> {
            if (conv.isMember(send.from())) {
              committer.enqueue(new PendingSend(send, conv));
            } else {
              dedup.fail(send.dedupKey(), ImException.notMember("not a member of " + send.conv()));
            }
          })
          .onFailure(failure -> dedup.fail(send.dedupKey(), failure));
    }
    return admission.reply();
  }

  /** An accepted change is written as a {@code system} message; the reply is its ack, or {@code {}} for no change. */
  private Future<JsonObject> changeGroup(GroupCommand command) {
    return groups.handle(command).compose(accepted -> {
      if (accepted == null) {
        return Future.succeededFuture(new JsonObject());
      }
      SendCommand system = new SendCommand(command.conv(), command.by(), SYSTEM_DEVICE, null, "sys:" + Ids.newId(),
          MessageKinds.SYSTEM, accepted.change().body());
      Future<Ack> stored = dedup.admit(system.dedupKey()).reply();
      committer.enqueue(new PendingSend(system, accepted.state(), accepted.change().recipients(), accepted.change()));
      return stored.map(Ack::toJson);
    });
  }

  @Override
  public void committed(List<PendingSend> sends) {
    List<Delivery> deliveries = new ArrayList<>(sends.size());
    List<RoomDeliverItem> roomItems = new ArrayList<>();
    List<PendingSend> pushable = pushOn ? new ArrayList<>(sends.size()) : List.of();
    for (PendingSend send : sends) {
      dedup.answer(send.key(), send.ack());
      SendCommand command = send.command;
      if (send.conv.type == Conv.Type.ROOM) {
        roomItems.add(RoomDeliverItem.of(command.conv(), Op.MSG, send.msg(), command.conn(), null));
      } else {
        deliveries.add(new Delivery(send.recipients, Op.MSG, send.msg(), command.conn()));
      }
      if (pushOn && OfflinePushes.pushes(send)) {
        pushable.add(send);
      }
      if (send.change != null) {
        deliveries.addAll(send.change.events());
      }
      publish(send);
    }
    metrics.messagesSent(sends.size());
    orderedFanout.deliver(deliveries, roomItems, pushable);
  }

  private void publish(PendingSend send) {
    SendCommand command = send.command;
    events.publish(new DomainEvent.MessageStored(command.conv(), send.seq, send.mid, command.from(), command.device(),
        command.cmid(), command.kind(), command.body(), send.ts));
    if (send.change != null) {
      GroupEvents.of(command.conv(), send.change.body(), send.ts).forEach(events::publish);
    }
  }

  @Override
  public void storedEarlier(PendingSend send, Ack earlier) {
    dedup.answer(send.key(), earlier);
  }

  @Override
  public void failed(PendingSend send, ImException failure) {
    if (send.change != null) {
      // The change was applied to the cached state but not stored: reload the group from the database.
      conversations.forget(send.command.conv());
    }
    dedup.fail(send.key(), failure);
  }
}
