package im.loadtest;

import im.protocol.Op;
import im.protocol.client.ImClient;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Proves that users are reachable across a cluster: picks (sender, recipient) pairs among a run's connections whose
 * nodes differ (when there are several), sends one text from each sender to its recipient, and counts the recipients
 * that receive it. Each message's {@code cmid} names its pair; the run's connections hand their unclaimed frames to
 * {@link #onFrame}, which must be in place before the sends.
 *
 * <p>Thread-safe: frames arrive on the connections' event loops.
 */
final class ReachSample {

  /** How long deliveries may take after the last send settled. */
  private static final long DRAIN_MS = 10_000;

  /**
   * @param pairs      pairs sampled
   * @param nodes      nodes the run's connections sit on
   * @param nodePairs  distinct ordered (sender's node, recipient's node) pairs among the sampled ones
   */
  record Result(int pairs, int nodes, int nodePairs, long acked, long reached, LoadStats stats) {

    boolean clean() {
      return reached == pairs && stats.errorCount() == 0;
    }

    String line() {
      String where = nodes > 1
          ? String.format("sender and recipient on different nodes, %d of the %d ordered node pairs", nodePairs,
              nodes * (nodes - 1))
          : "one node";
      return String.format("reach      %d pairs (%s): %d acked, %d reached, %d not reached; delivery ms p99=%d; "
          + "errors %s", pairs, where, acked, reached, pairs - reached, stats.deliveryMs(99),
          stats.errorsByCode());
    }
  }

  /** The recipient a sampled message must reach, and whether it has. */
  private record Expected(ImClient recipient, AtomicBoolean reached) {}

  private final Vertx vertx;
  private final RunId runId;
  private final LoadStats stats = new LoadStats();
  private final Map<String, Expected> expected = new ConcurrentHashMap<>();
  private final LongAdder reached = new LongAdder();

  ReachSample(Vertx vertx, RunId runId) {
    this.vertx = vertx;
    this.runId = runId;
  }

  /** A frame no request claimed, received by {@code by}: a sampled message at its recipient is counted, confirmed. */
  void onFrame(ImClient by, JsonObject frame) {
    if (!Op.MSG.wireName().equals(frame.getValue("t"))) {
      return;
    }
    Expected wanted = expected.get(String.valueOf(frame.getValue("cmid")));
    if (wanted == null || wanted.recipient() != by) {
      return;
    }
    by.send(Op.RECV, new JsonObject().put("conv", frame.getValue("conv")).put("seq", frame.getValue("seq")));
    if (wanted.reached().compareAndSet(false, true)) {
      reached.increment();
      JsonObject body = frame.getJsonObject("body");
      stats.delivered(System.currentTimeMillis() - RunId.dueMs(body == null ? null : body.getValue("text")));
    }
  }

  /**
   * Sends {@code size} sampled messages (at most {@code concurrency} awaiting their ack) and completes once every
   * acked one has reached its recipient, or {@value #DRAIN_MS} ms after the last send settled.
   *
   * @param clients  the run's connections, client {@code i} of user {@code accounts.get(i)} on {@code target.node(i)}
   */
  Future<Result> run(Target target, List<ImClient> clients, List<LoadSetup.Account> accounts, int size,
                     int concurrency) {
    if (clients.size() < 2) {
      throw new IllegalArgumentException("a reach sample needs at least 2 connections");
    }
    int nodes = (int) IntStream.range(0, Math.min(clients.size(), target.nodes().size()))
        .mapToObj(target::node).distinct().count();
    Random random = new Random();
    Set<String> nodePairs = new HashSet<>();
    Sender[] senders = new Sender[size];
    for (int k = 0; k < size; k++) {
      int from = random.nextInt(clients.size());
      int to = recipientOf(target, from, clients.size(), nodes > 1, random);
      nodePairs.add(target.node(from) + "->" + target.node(to));
      expected.put(runId.cmid(k, 0), new Expected(clients.get(to), new AtomicBoolean()));
      senders[k] = new Sender(clients.get(from), "to", accounts.get(to).uid(), k, runId, stats);
    }
    Completable sending = Flowable.range(0, size)
        .flatMapCompletable(k -> senders[k].send(0, System.nanoTime()), false, concurrency);
    return Future.fromCompletionStage(sending.toCompletionStage(null))
        .compose(sent -> stats.settled(vertx, DRAIN_MS))
        .map(settled -> new Result(size, nodes, nodePairs.size(), stats.ackedCount(), reached.sum(), stats));
  }

  /** A recipient other than {@code from}, on another node when {@code acrossNodes}. */
  private static int recipientOf(Target target, int from, int count, boolean acrossNodes, Random random) {
    while (true) {
      int to = random.nextInt(count);
      if (to != from && (!acrossNodes || !target.node(to).equals(target.node(from)))) {
        return to;
      }
    }
  }
}
