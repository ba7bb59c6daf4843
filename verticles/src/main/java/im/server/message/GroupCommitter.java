package im.server.message;

import im.protocol.Conv;
import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.shared.Ids;
import im.shared.bus.message.Ack;
import im.shared.message.MessageAppender;
import im.shared.message.MessageWriter;
import im.shared.message.MessageWriter.NewMessage;
import im.shared.message.MessageWriter.StoredAck;
import im.shared.message.PersistenceBarrier;
import im.shared.seq.SeqAllocator;
import im.shared.seq.SeqAllocator.Allocation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Group commit (docs/architecture.md, Group commit): sends are collected for {@code batchMaxDelayMs} or
 * {@code batchMaxRows}, given seqs with one pipelined Redis round trip per batch, and stored with one statement.
 * One batch is in flight at a time, which keeps the batches of a conversation in seq order. A row the database
 * skipped is either a retried cmid (answered with its stored ack) or a seq another owner already used (split
 * cluster, flushed Redis): the floor is raised to the stored maximum and the send takes a new seq. A row that
 * cannot be encoded or stored fails alone with {@code bad_request} ({@link IsolatingInsert}); its neighbours are
 * stored (docs/protocol.md §3, Isolation). So does a reply or comment that names a wrong message ({@link ReferenceCheck}).
 *
 * <p>Threading: the owner's context only; every {@link Outcome} call runs there.
 */
final class GroupCommitter {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
  static final int MAX_COLLISION_RETRIES = 3;

  /** What became of each send. Exactly one call per send. */
  interface Outcome {
    /** Stored, with its group change if any: to be acked and fanned out, in this order. */
    void committed(List<PendingSend> sends);

    /** A retried cmid whose message was stored earlier. */
    void storedEarlier(PendingSend send, Ack earlier);

    /** Not stored; a retry with the same cmid may succeed. */
    void failed(PendingSend send, ImException failure);
  }

  /** The batching limits and the rooms' history bound. */
  record Settings(int batchMaxRows, long batchMaxDelayMs, int roomHistoryLimit) {}

  private final Vertx vertx;
  private final Settings settings;
  private final SeqAllocator seqs;
  private final MessageWriter writer;
  private final Outcome outcome;
  private final IsolatingInsert rowInsert;
  private final ReferenceCheck references;

  private List<PendingSend> pending = new ArrayList<>();
  private boolean flushing;
  private long flushTimer = -1;
  private Promise<Void> drained;

  /** Direct mode: batches go straight into PostgreSQL. */
  GroupCommitter(Vertx vertx, Settings settings, SeqAllocator seqs, MessageWriter writer, Outcome outcome) {
    this(vertx, settings, seqs, writer, writer::insert, PersistenceBarrier.NONE, outcome);
  }

  /**
   * @param appender where batches are made durable; {@code writer} still answers retried cmids and collisions
   * @param barrier  waited for before the messages that replies and comments name are looked up (Kafka mode)
   */
  GroupCommitter(Vertx vertx, Settings settings, SeqAllocator seqs, MessageWriter writer, MessageAppender appender,
                 PersistenceBarrier barrier, Outcome outcome) {
    this.vertx = vertx;
    this.settings = settings;
    this.seqs = seqs;
    this.writer = writer;
    this.outcome = outcome;
    this.rowInsert = new IsolatingInsert(appender);
    this.references = new ReferenceCheck(writer, barrier);
  }

  void enqueue(PendingSend send) {
    pending.add(send);
    if (pending.size() >= settings.batchMaxRows()) {
      flushNow();
    } else if (flushTimer < 0 && !flushing) {
      flushTimer = vertx.setTimer(Math.max(1, settings.batchMaxDelayMs()), id -> {
        flushTimer = -1;
        flushNow();
      });
    }
  }

  /** Stores everything taken so far; completes when nothing is pending or in flight. */
  Future<Void> drain() {
    drained = Promise.promise();
    flushNow();
    checkDrained();
    return drained.future();
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
    List<PendingSend> batch = pending;
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

  /**
   * Checks what replies and comments name, then allocates seqs, stores and settles one batch. Never fails: failures
   * are reported per send.
   */
  private Future<Void> commit(List<PendingSend> batch) {
    // Sends refused for their own content: reported once, as bad_request, whatever happens to the rest.
    Set<PendingSend> refused = Collections.newSetFromMap(new IdentityHashMap<>());
    return references.refusals(batch)
        .compose(wrongReferences -> {
          wrongReferences.forEach((send, failure) -> {
            refused.add(send);
            outcome.failed(send, failure);
          });
          return store(IsolatingInsert.without(batch, refused), refused);
        })
        .recover(failure -> {
          LOG.warn("batch of {} sends not stored: {}", batch.size(), failure.toString());
          ImException unavailable = ImException.unavailable("message store unavailable; retry with the same cmid");
          batch.stream().filter(send -> !refused.contains(send)).forEach(send -> outcome.failed(send, unavailable));
          return Future.succeededFuture();
        });
  }

  /** Allocates seqs for {@code batch}, stores it and settles it; adds to {@code refused} the rows that cannot be stored. */
  private Future<Void> store(List<PendingSend> batch, Set<PendingSend> refused) {
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, List<PendingSend>> byConv = new LinkedHashMap<>();
    for (PendingSend send : batch) {
      byConv.computeIfAbsent(send.command.conv(), c -> new ArrayList<>()).add(send);
    }
    List<Allocation> allocations = new ArrayList<>(byConv.size());
    byConv.forEach((conv, sends) -> allocations.add(new Allocation(conv, sends.size(), sends.get(0).conv.floor)));
    return seqs.allocate(allocations)
        .compose(lastSeqs -> {
          List<PendingSend> rowSends = new ArrayList<>(batch.size());
          List<NewMessage> rows = assign(byConv, lastSeqs, rowSends, refused);
          return rowInsert.insert(rowSends, rows);
        })
        .compose(stored -> {
          stored.refused().forEach(this::refuse);
          refused.addAll(stored.refused());
          return settle(IsolatingInsert.without(batch, refused), stored.inserted());
        })
        .onSuccess(v -> trimRooms(byConv));
  }

  /**
   * Gives every send its seq, mid and time and returns the rows to store; {@code rowSends} gets the send of each
   * row, index for index. A send whose body cannot even be encoded is refused at once and added to
   * {@code unencodable} instead of failing the batch (its seq stays unused: seqs may have gaps, docs/protocol.md §2).
   */
  private List<NewMessage> assign(Map<String, List<PendingSend>> byConv, long[] lastSeqs,
                                         List<PendingSend> rowSends, Set<PendingSend> unencodable) {
    List<NewMessage> rows = new ArrayList<>();
    long now = System.currentTimeMillis();
    int i = 0;
    for (List<PendingSend> sends : byConv.values()) {
      long seq = lastSeqs[i++] - sends.size() + 1;
      for (PendingSend send : sends) {
        send.seq = seq++;
        send.ts = now;
        send.mid = Ids.newMid(now);
        var c = send.command;
        String body = encode(send);
        if (body == null) {
          unencodable.add(send);
          refuse(send);
          continue;
        }
        rows.add(new NewMessage(c.conv(), send.seq, send.mid, c.from(), c.device(), c.cmid(), c.kind(), body, now,
            c.replyTo(), c.thread()));
        rowSends.add(send);
      }
    }
    return rows;
  }

  private void refuse(PendingSend send) {
    outcome.failed(send, ImException.badRequest("this message body cannot be stored"));
  }

  /** The body's JSON text, or null when it cannot be encoded (a value nested past what the encoder's stack holds). */
  private static String encode(PendingSend send) {
    try {
      return send.command.body().encode();
    } catch (RuntimeException | StackOverflowError e) {
      // The stack unwinds fully before this handler runs, so catching the overflow here is safe.
      LOG.info("message {} of {} not encodable: {}", send.command.cmid(), send.command.from(), e.toString());
      return null;
    }
  }

  /** Reports what was inserted; answers retried cmids with their stored ack; re-queues seq collisions. */
  private Future<Void> settle(List<PendingSend> batch, Set<String> inserted) {
    List<PendingSend> committed = new ArrayList<>(batch.size());
    List<PendingSend> skipped = new ArrayList<>();
    for (PendingSend send : batch) {
      (inserted.contains(MessageWriter.key(send.command.conv(), send.seq)) ? committed : skipped).add(send);
    }
    return persistChanges(committed).compose(stored -> {
      if (!stored.isEmpty()) {
        stored.forEach(send -> send.conv.floor = Math.max(send.conv.floor, send.seq));
        outcome.committed(stored);
      }
      return skipped.isEmpty() ? Future.succeededFuture() : resolveSkipped(skipped);
    });
  }

  /**
   * Stores the membership changes of the committed {@code system} messages, one after another in seq order.
   *
   * @return the committed sends whose change (if any) is stored; the others are reported failed
   */
  private Future<List<PendingSend>> persistChanges(List<PendingSend> committed) {
    Future<Void> chain = Future.succeededFuture();
    Set<PendingSend> failed = Collections.newSetFromMap(new IdentityHashMap<>());
    for (PendingSend send : committed) {
      if (send.change == null) {
        continue;
      }
      chain = chain.compose(v -> send.change.persist().apply(send.seq)
          .recover(failure -> {
            failed.add(send);
            LOG.warn("group change at {} seq {} not stored: {}", send.command.conv(), send.seq, failure.toString());
            outcome.failed(send, ImException.unavailable("the group change was not stored; retry"));
            return Future.succeededFuture();
          }));
    }
    return chain.map(v -> IsolatingInsert.without(committed, failed));
  }

  private Future<Void> resolveSkipped(List<PendingSend> skipped) {
    return writer.findByCmid(
            skipped.stream().map(s -> s.command.from()).toList(),
            skipped.stream().map(s -> s.command.cmid()).toList())
        .compose(stored -> {
          List<Future<?>> requeued = new ArrayList<>();
          for (PendingSend send : skipped) {
            StoredAck earlier = stored.get(send.key());
            if (earlier != null) {
              outcome.storedEarlier(send, earlier.toAck(send.command.cmid()));
            } else {
              requeued.add(requeueAfterCollision(send));
            }
          }
          return Future.join(requeued).mapEmpty();
        });
  }

  /** Another owner stored this seq (split cluster, flushed Redis): raise the floor and take a new seq. */
  private Future<Void> requeueAfterCollision(PendingSend send) {
    String conv = send.command.conv();
    if (++send.collisions > MAX_COLLISION_RETRIES) {
      outcome.failed(send, new ImException(ErrorCode.INTERNAL, "could not allocate a seq; retry with the same cmid"));
      return Future.succeededFuture();
    }
    LOG.warn("seq collision conv={} seq={}: re-allocating above the stored maximum", conv, send.seq);
    return writer.maxStoredSeq(conv).map(max -> {
      send.conv.floor = Math.max(send.conv.floor, max);
      pending.add(0, send);
      return null;
    });
  }

  /** Rooms keep their newest {@code roomHistoryLimit} messages; older ones are deleted after each batch. */
  private void trimRooms(Map<String, List<PendingSend>> byConv) {
    List<String> rooms = byConv.entrySet().stream()
        .filter(entry -> entry.getValue().get(0).conv.type == Conv.Type.ROOM)
        .map(Map.Entry::getKey)
        .toList();
    if (!rooms.isEmpty()) {
      writer.trimRooms(rooms, settings.roomHistoryLimit())
          .onFailure(failure -> LOG.warn("rooms {} not trimmed: {}", rooms, failure.toString()));
    }
  }
}
