package im.server.message;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.MessageKinds;
import im.protocol.Op;
import im.shared.Ids;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.Events;
import im.shared.config.ImConfig;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import im.shared.message.MessageWriter.StoredAck;
import im.shared.metrics.ImMetrics;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.seq.SeqAllocator;
import im.shared.seq.SeqAllocator.Allocation;
import im.shared.store.GroupStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One owner instance (ARCHITECTURE, message path): every conversation hashed to this instance is served
 * here, on this verticle's single context, so seq allocation, storage and fan-out of a conversation
 * happen in one place and in order. Sends are group-committed: collected for
 * {@code messages.batchMaxDelayMs} or {@code batchMaxRows}, given seqs with one pipelined Redis round
 * trip, stored with one statement, and only then acked and fanned out. One batch is in flight at a
 * time, which keeps batches of a conversation in seq order.
 */
public final class MessageVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MessageVerticle.class);
  private static final int MAX_OPEN_CONVERSATIONS = 100_000;
  private static final int MAX_COLLISION_RETRIES = 3;
  /** The {@code device} of server-written {@code system} messages. */
  static final String SYSTEM_DEVICE = "server";

  /** A send waiting for its batch. */
  private static final class Pending {
    final JsonObject command;
    final ConvState conv;
    final String key;
    /** Who gets the message: the members when it was taken. */
    final List<String> recipients;
    /** For a group's {@code system} message, the membership change it records; else null. */
    final GroupChanges.Change change;
    int collisions;
    long seq;
    String mid;
    long ts;

    Pending(JsonObject command, ConvState conv, String key) {
      this(command, conv, key, conv.members, null);
    }

    Pending(JsonObject command, ConvState conv, String key, List<String> recipients, GroupChanges.Change change) {
      this.command = command;
      this.conv = conv;
      this.key = key;
      this.recipients = recipients;
      this.change = change;
    }
  }

  private final int index;
  private final ImConfig.Messages config;
  private final String redisUrl;
  private final Pool pool;
  private final Fanout fanout;
  private final ImMetrics metrics;
  private final ImConfig.Groups groupSettings;

  private SeqAllocator seqs;
  private GroupStore groups;
  private GroupChanges groupChanges;
  private MessageWriter writer;
  private MessageConsumer<JsonObject> consumer;

  /** sender + "\n" + cmid → ack: answers retries without a database round trip. */
  private final Map<String, JsonObject> recentAcks;
  /** sender + "\n" + cmid → every request waiting for that send (a retry may arrive while the first is pending). */
  private final Map<String, List<Message<JsonObject>>> inFlight = new HashMap<>();
  private final Map<String, Future<ConvState>> conversations = lru(MAX_OPEN_CONVERSATIONS);

  private List<Pending> pending = new ArrayList<>();
  private boolean flushing;
  private long flushTimer = -1;
  private Promise<Void> drained;
  /** Fan-outs run one after another: each does an async routes lookup, and two in parallel could overtake. */
  private Future<Void> fanoutTail = Future.succeededFuture();

  public MessageVerticle(int index, ImConfig config, Pool pool, Fanout fanout, ImMetrics metrics) {
    this.index = index;
    this.config = config.messages();
    this.redisUrl = config.redis().url();
    this.pool = pool;
    this.fanout = fanout;
    this.metrics = metrics;
    this.groupSettings = config.groups();
    this.recentAcks = lru(this.config.cmidCacheSize());
  }

  private static <V> Map<String, V> lru(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }

  @Override
  public Future<?> start() {
    seqs = new SeqAllocator(vertx, redisUrl);
    writer = new MessageWriter(pool);
    groups = new GroupStore(pool);
    groupChanges = new GroupChanges(groups, groupSettings.maxMembers());
    consumer = vertx.eventBus().localConsumer(Addresses.messageInstance(index), this::onCommand);
    // A conversation that moved to another owner and back may have advanced there: reload members and floor.
    MessageConsumer<JsonObject> ownership = vertx.eventBus().localConsumer(Addresses.OWNERSHIP_CHANGED,
        changed -> conversations.clear());
    return Future.join(consumer.completion(), ownership.completion());
  }

  /** Stops taking commands, then stores and acks everything already taken. */
  @Override
  public Future<?> stop() {
    return consumer.unregister()
        .compose(v -> {
          drained = Promise.promise();
          flushNow();
          checkDrained();
          return drained.future();
        })
        .eventually(() -> seqs.close());
  }

  private void onCommand(Message<JsonObject> message) {
    String type = message.body().getString(Events.TYPE);
    if (Events.SEND.equals(type)) {
      onSend(message);
    } else if (Events.RECALL.equals(type)) {
      onRecall(message);
    } else if (Events.GROUP.equals(type)) {
      onGroup(message);
    } else if (Events.TYPING.equals(type)) {
      onTyping(message);
    } else if (Events.ROOM.equals(type)) {
      conversation(message.body().getString("conv"), null)
          .onSuccess(state -> message.reply(new JsonObject()))
          .onFailure(failure -> BusErrors.fail(message, failure));
    } else {
      BusErrors.fail(message, ImException.badRequest("unknown command " + type));
    }
  }

  private void onSend(Message<JsonObject> message) {
    JsonObject command = message.body();
    String sender = command.getString("from");
    String key = sender + "\n" + command.getString("cmid");
    JsonObject ack = recentAcks.get(key);
    if (ack != null) {
      message.reply(ack);
      return;
    }
    List<Message<JsonObject>> waiting = inFlight.get(key);
    if (waiting != null) {
      waiting.add(message);
      return;
    }
    List<Message<JsonObject>> waiters = new ArrayList<>(1);
    waiters.add(message);
    inFlight.put(key, waiters);
    String convId = command.getString("conv");
    conversation(convId, sender)
        .onSuccess(conv -> {
          if (conv.isMember(sender)) {
            enqueue(new Pending(command, conv, key));
          } else {
            failSend(key, ImException.notMember("not a member of " + convId));
          }
        })
        .onFailure(failure -> failSend(key, failure));
  }

  /**
   * The conversation's state, loaded (and for a new one-to-one conversation, created) on first use. Whether
   * {@code sender} may use a group is the caller's check ({@link ConvState#isMember}).
   */
  private Future<ConvState> conversation(String conv, String sender) {
    Conv.Type type = Conv.typeOf(conv);
    if (type == null) {
      return Future.failedFuture(ImException.notFound("no such conversation: " + conv));
    }
    if (type != Conv.Type.P2P) {
      return cached(conv, () -> groups.load(conv).map(loaded -> {
        if (loaded == null || loaded.type() != type) {
          throw ImException.notFound("no such conversation: " + conv);
        }
        return type == Conv.Type.GROUP
            ? ConvState.group(loaded.name(), loaded.roles(), loaded.maxSeq())
            : ConvState.room(loaded.name(), loaded.maxSeq());
      }));
    }
    String peer = Conv.peerOf(conv, sender);
    if (peer == null) {
      return Future.failedFuture(ImException.notMember("not a member of " + conv));
    }
    String[] members = Conv.p2pMembers(conv);
    return cached(conv, () -> writer.openP2p(conv, members[0], members[1], System.currentTimeMillis())
        .map(floor -> {
          if (floor == null) {
            throw ImException.notFound("no such user: " + peer);
          }
          return ConvState.p2p(List.of(members), floor);
        }));
  }

  /** One load per conversation at a time; a failed load is forgotten so that the next command retries. */
  private Future<ConvState> cached(String conv, Supplier<Future<ConvState>> load) {
    Future<ConvState> known = conversations.get(conv);
    if (known != null) {
      return known;
    }
    Future<ConvState> loading = load.get();
    conversations.put(conv, loading);
    loading.onFailure(failure -> conversations.remove(conv, loading));
    return loading;
  }

  private void enqueue(Pending send) {
    pending.add(send);
    if (pending.size() >= config.batchMaxRows()) {
      flushNow();
    } else if (flushTimer < 0 && !flushing) {
      flushTimer = vertx.setTimer(Math.max(1, config.batchMaxDelayMs()), id -> {
        flushTimer = -1;
        flushNow();
      });
    }
  }

  private void flushNow() {
    if (flushTimer >= 0) {
      vertx.cancelTimer(flushTimer);
      flushTimer = -1;
    }
    if (flushing || pending.isEmpty()) {
      return;
    }
    flushing = true;
    List<Pending> batch = pending;
    pending = new ArrayList<>();
    commit(batch).onComplete(done -> {
      flushing = false;
      if (!pending.isEmpty()) {
        flushNow();
      }
      checkDrained();
    });
  }

  private void checkDrained() {
    if (drained != null && !flushing && pending.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** Allocates seqs, stores, acks and fans out one batch. Never fails: failures are answered per send. */
  private Future<Void> commit(List<Pending> batch) {
    Map<String, List<Pending>> byConv = new LinkedHashMap<>();
    for (Pending send : batch) {
      byConv.computeIfAbsent(send.command.getString("conv"), c -> new ArrayList<>()).add(send);
    }
    List<Allocation> allocations = new ArrayList<>(byConv.size());
    byConv.forEach((conv, sends) -> allocations.add(new Allocation(conv, sends.size(), sends.get(0).conv.floor)));
    return seqs.allocate(allocations)
        .compose(lastSeqs -> {
          List<NewMessage> rows = assign(byConv, lastSeqs);
          return writer.insert(rows);
        })
        .compose(inserted -> settle(batch, inserted))
        .onSuccess(v -> trimRooms(byConv))
        .recover(failure -> {
          log.warn("batch of {} sends not stored: {}", batch.size(), failure.toString());
          ImException unavailable = ImException.unavailable("message store unavailable; retry with the same cmid");
          batch.forEach(send -> {
            forgetIfChanged(send);
            failSend(send.key, unavailable);
          });
          return Future.succeededFuture();
        });
  }

  /** A group change that was not stored: the state it was applied to is reloaded from the database. */
  private void forgetIfChanged(Pending send) {
    if (send.change != null) {
      conversations.remove(send.command.getString("conv"));
    }
  }

  /** Rooms keep their newest {@code rooms.historyLimit} messages; older ones are deleted after each batch. */
  private void trimRooms(Map<String, List<Pending>> byConv) {
    List<String> rooms = byConv.entrySet().stream()
        .filter(entry -> entry.getValue().get(0).conv.type == Conv.Type.ROOM)
        .map(Map.Entry::getKey)
        .toList();
    if (!rooms.isEmpty()) {
      writer.trimRooms(rooms, groupSettings.roomHistoryLimit())
          .onFailure(failure -> log.warn("rooms {} not trimmed: {}", rooms, failure.toString()));
    }
  }

  private List<NewMessage> assign(Map<String, List<Pending>> byConv, long[] lastSeqs) {
    List<NewMessage> rows = new ArrayList<>();
    long now = System.currentTimeMillis();
    int i = 0;
    for (List<Pending> sends : byConv.values()) {
      long seq = lastSeqs[i++] - sends.size() + 1;
      for (Pending send : sends) {
        send.seq = seq++;
        send.ts = now;
        send.mid = Ids.newMid(now);
        JsonObject c = send.command;
        rows.add(new NewMessage(c.getString("conv"), send.seq, send.mid, c.getString("from"), c.getString("device"),
            c.getString("cmid"), c.getString("kind"), c.getJsonObject("body").encode(), now));
      }
    }
    return rows;
  }

  /** Acks and fans out what was inserted; answers retried cmids with their stored ack; re-queues seq collisions. */
  private Future<Void> settle(List<Pending> batch, Set<String> inserted) {
    List<Pending> committed = new ArrayList<>(batch.size());
    List<Pending> skipped = new ArrayList<>();
    for (Pending send : batch) {
      (inserted.contains(MessageWriter.key(send.command.getString("conv"), send.seq)) ? committed : skipped).add(send);
    }
    return persistChanges(committed).compose(stored -> {
      acknowledge(stored);
      return skipped.isEmpty() ? Future.succeededFuture() : resolveSkipped(skipped);
    });
  }

  /**
   * Stores the membership changes of the committed {@code system} messages, one after another in seq order.
   *
   * @return the committed sends whose change (if any) is stored; the others are answered with a failure
   */
  private Future<List<Pending>> persistChanges(List<Pending> committed) {
    Future<Void> chain = Future.succeededFuture();
    Set<Pending> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Pending send : committed) {
      if (send.change == null) {
        continue;
      }
      chain = chain.compose(v -> send.change.persist().apply(send.seq)
          .recover(failure -> {
            failed.add(send);
            log.warn("group change at {} seq {} not stored: {}", send.command.getString("conv"), send.seq, failure.toString());
            forgetIfChanged(send);
            failSend(send.key, ImException.unavailable("the group change was not stored; retry"));
            return Future.succeededFuture();
          }));
    }
    return chain.map(v -> failed.isEmpty() ? committed : committed.stream().filter(send -> !failed.contains(send)).toList());
  }

  private Future<Void> resolveSkipped(List<Pending> skipped) {
    return writer.findByCmid(
            skipped.stream().map(s -> s.command.getString("from")).toList(),
            skipped.stream().map(s -> s.command.getString("cmid")).toList())
        .compose(stored -> {
          List<Future<?>> requeued = new ArrayList<>();
          for (Pending send : skipped) {
            StoredAck earlier = stored.get(send.key);
            if (earlier != null) {
              answer(send.key, earlier.toAck(send.command.getString("cmid")));
            } else {
              requeued.add(requeueAfterCollision(send));
            }
          }
          return Future.join(requeued).mapEmpty();
        });
  }

  /** Another owner stored this seq (split cluster, flushed Redis): raise the floor and take a new seq. */
  private Future<Void> requeueAfterCollision(Pending send) {
    String conv = send.command.getString("conv");
    if (++send.collisions > MAX_COLLISION_RETRIES) {
      failSend(send.key, new ImException(ErrorCode.INTERNAL, "could not allocate a seq; retry with the same cmid"));
      return Future.succeededFuture();
    }
    log.warn("seq collision conv={} seq={}: re-allocating above the stored maximum", conv, send.seq);
    return writer.maxStoredSeq(conv).map(max -> {
      send.conv.floor = Math.max(send.conv.floor, max);
      pending.add(0, send);
      return null;
    });
  }

  private void acknowledge(List<Pending> committed) {
    if (committed.isEmpty()) {
      return;
    }
    List<Delivery> deliveries = new ArrayList<>(committed.size());
    JsonArray roomItems = new JsonArray();
    for (Pending send : committed) {
      JsonObject c = send.command;
      send.conv.floor = Math.max(send.conv.floor, send.seq);
      answer(send.key, new JsonObject()
          .put("cmid", c.getString("cmid")).put("conv", c.getString("conv"))
          .put("seq", send.seq).put("mid", send.mid).put("ts", send.ts));
      JsonObject msg = new JsonObject()
          .put("conv", c.getString("conv")).put("seq", send.seq).put("mid", send.mid)
          .put("from", c.getString("from")).put("device", c.getString("device")).put("cmid", c.getString("cmid"))
          .put("kind", c.getString("kind")).put("body", c.getJsonObject("body")).put("ts", send.ts);
      if (send.conv.type == Conv.Type.ROOM) {
        roomItems.add(roomItem(c.getString("conv"), Op.MSG, msg, c.getString("conn")));
      } else {
        deliveries.add(new Delivery(send.recipients, Op.MSG, msg, c.getString("conn")));
      }
      if (send.change != null) {
        deliveries.addAll(send.change.events());
      }
    }
    metrics.messagesSent(committed.size());
    deliverInOrder(deliveries, roomItems);
  }

  static JsonObject roomItem(String conv, Op op, JsonObject body, String skipConn) {
    return new JsonObject().put(Events.CONV, conv).put(Events.SKIP, skipConn).put(Events.OP, op.wireName()).put(Events.BODY, body);
  }

  /**
   * Frames to members go through the fan-out (one routes lookup, one event per node); frames to a room are
   * published to every node, whose gateways know which connections joined it.
   */
  private void deliverInOrder(List<Delivery> deliveries, JsonArray roomItems) {
    fanoutTail = fanoutTail.transform(previous -> {
      if (!roomItems.isEmpty()) {
        vertx.eventBus().publish(Addresses.ROOMS_DELIVER, Events.deliver(roomItems));
      }
      return deliveries.isEmpty() ? Future.<Void>succeededFuture() : fanout.deliver(deliveries)
          .onFailure(failure -> log.warn("fan-out of {} frames failed (recipients will sync): {}", deliveries.size(), failure.toString()))
          .otherwiseEmpty();
    });
  }

  private void answer(String key, JsonObject ack) {
    recentAcks.put(key, ack);
    List<Message<JsonObject>> waiters = inFlight.remove(key);
    if (waiters != null) {
      waiters.forEach(waiter -> waiter.reply(ack));
    }
  }

  private void failSend(String key, Throwable failure) {
    List<Message<JsonObject>> waiters = inFlight.remove(key);
    if (waiters != null) {
      waiters.forEach(waiter -> BusErrors.fail(waiter, failure));
    }
  }

  private void onRecall(Message<JsonObject> message) {
    JsonObject command = message.body();
    String conv = command.getString("conv");
    long seq = command.getLong("seq");
    String by = command.getString("by");
    conversation(conv, by)
        .compose(state -> {
          if (!state.isMember(by)) {
            return Future.failedFuture(ImException.notMember("not a member of " + conv));
          }
          return writer.findForRecall(conv, seq).compose(target -> recall(state, conv, seq, by, target));
        })
        .onSuccess(v -> message.reply(new JsonObject()))
        .onFailure(failure -> BusErrors.fail(message, failure));
  }

  /** The sender within the recall window, or a group's owner or admin at any time (PROTOCOL §3 recall). */
  private Future<Void> recall(ConvState state, String conv, long seq, String by, MessageWriter.RecallTarget target) {
    if (target == null) {
      return Future.failedFuture(ImException.notFound("no message " + seq + " in " + conv));
    }
    boolean moderator = state.isModerator(by);
    if (!target.sender().equals(by) && !moderator) {
      return Future.failedFuture(ImException.forbidden("only the sender may recall this message"));
    }
    if (MessageKinds.SYSTEM.equals(target.kind())) {
      return Future.failedFuture(ImException.forbidden("system messages cannot be recalled"));
    }
    if (target.recalled()) {
      return Future.succeededFuture();
    }
    if (!moderator && System.currentTimeMillis() - target.ts() > config.recallWindowMs()) {
      return Future.failedFuture(new ImException(ErrorCode.RECALL_EXPIRED,
          "the recall window of " + config.recallWindowMs() + " ms has passed"));
    }
    return writer.recall(conv, seq).onSuccess(v -> {
      log.info("recalled conv={} seq={} by={}", conv, seq, by);
      JsonObject body = new JsonObject().put("conv", conv).put("seq", seq).put("by", by);
      if (state.type == Conv.Type.ROOM) {
        deliverInOrder(List.of(), new JsonArray().add(roomItem(conv, Op.RECALLED, body, null)));
      } else {
        deliverInOrder(List.of(new Delivery(state.members, Op.RECALLED, body, null)), new JsonArray());
      }
    });
  }

  /** A group's creation or membership change: applied, then written as a {@code system} message (see {@link GroupChanges}). */
  private void onGroup(Message<JsonObject> message) {
    JsonObject command = message.body();
    String conv = command.getString("conv");
    String by = command.getString("by");
    Future<GroupChanges.Change> change;
    ConvState[] state = new ConvState[1];
    if ("create".equals(command.getString("action"))) {
      change = createGroup(conv, by, command).map(created -> {
        state[0] = created;
        return groupChanges.created(conv, created, by);
      });
    } else {
      change = conversation(conv, by).compose(loaded -> {
        if (loaded.type != Conv.Type.GROUP) {
          return Future.failedFuture(ImException.badRequest(conv + " is not a group"));
        }
        state[0] = loaded;
        return groupChanges.apply(conv, loaded, command);
      });
    }
    change.onSuccess(accepted -> {
      if (accepted == null) {
        message.reply(new JsonObject());
        return;
      }
      String cmid = "sys:" + Ids.newId();
      String key = by + "\n" + cmid;
      List<Message<JsonObject>> waiters = new ArrayList<>(1);
      waiters.add(message);
      inFlight.put(key, waiters);
      JsonObject system = Events.send(conv, by, SYSTEM_DEVICE, null, cmid, MessageKinds.SYSTEM, accepted.body());
      enqueue(new Pending(system, state[0], key, accepted.recipients(), accepted));
    }).onFailure(failure -> BusErrors.fail(message, failure));
  }

  private Future<ConvState> createGroup(String conv, String by, JsonObject command) {
    try {
      String name = GroupChanges.name(command);
      List<String> uids = groupChanges.uids(command);
      if (conversations.containsKey(conv)) {
        return Future.failedFuture(new ImException(ErrorCode.CONFLICT, conv + " exists"));
      }
      return groupChanges.create(conv, by, name, uids).onSuccess(created -> conversations.put(conv, Future.succeededFuture(created)));
    } catch (ImException e) {
      return Future.failedFuture(e);
    }
  }

  /** Tells the other members' devices that {@code from} is typing; stores nothing. */
  private void onTyping(Message<JsonObject> message) {
    JsonObject command = message.body();
    String conv = command.getString("conv");
    String from = command.getString("from");
    conversation(conv, from).compose(state -> {
      if (!state.isMember(from) || state.type == Conv.Type.ROOM) {
        return Future.failedFuture(ImException.notMember("not a member of " + conv));
      }
      List<String> others = new ArrayList<>(state.members.size());
      state.members.forEach(uid -> {
        if (!uid.equals(from)) {
          others.add(uid);
        }
      });
      return fanout.deliver(List.of(new Delivery(others, Op.TYPING, new JsonObject().put("conv", conv).put("uid", from), null)));
    }).onSuccess(v -> message.reply(new JsonObject())).onFailure(failure -> BusErrors.fail(message, failure));
  }
}
