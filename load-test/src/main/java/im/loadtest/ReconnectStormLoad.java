package im.loadtest;

import im.protocol.Conv;
import im.protocol.client.ImClient;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The reconnect storm: {@code pairs} senders keep sending to their peers (open model) while every peer's connection
 * drops at once; each peer reconnects after a random delay up to {@code jitter-ms} (doubling its back-off when a
 * connect fails), fills the gap with {@code POST /api/v1/sync} from the last seq it had, and keeps receiving live.
 * Reports the time from the drop until every peer has synced, and checks that every acked message reached its peer
 * exactly once (live or synced).
 *
 * <p>{@code java -cp im-load-test.jar im.loadtest.ReconnectStormLoad --pairs=1000 --rate=2000 --before=5 --after=10}
 */
public final class ReconnectStormLoad {

  private static final long MAX_BACKOFF_MS = 5_000;
  private static final int SYNC_LIMIT = 1000;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Exit status: 0 clean run, 2 run finished with errors or losses, 1 run failed, 64 bad arguments. */
  static int run(String[] args) {
    Target.Args parsed = Target.parse(args, "ReconnectStormLoad",
        List.of("pairs", "rate", "before", "after", "jitter-ms", "drain-ms", ReportFiles.FLAG, GoSignal.FLAG),
        "  --pairs=1000          sender -> peer pairs; every peer drops and reconnects\n"
        + "  --rate=2000           messages per second over all senders, before, during and after the storm\n"
        + "  --before=5            seconds of traffic before the drop\n"
        + "  --after=10            seconds of traffic after the drop\n"
        + "  --jitter-ms=5000      each peer reconnects after a random delay up to this\n"
        + "  --drain-ms=10000      after the last ack, how long to wait for deliveries\n" + ReportFiles.USAGE
        + "\n" + GoSignal.USAGE);
    if (parsed == null) {
      return 64;
    }
    Flags given = parsed.flags();
    Target target = parsed.target();
    int pairs = given.integer("pairs", 1000);
    int rate = given.integer("rate", 2 * pairs);
    long beforeMs = TimeUnit.SECONDS.toMillis(given.integer("before", 5));
    long afterMs = TimeUnit.SECONDS.toMillis(given.integer("after", 10));
    int jitterMs = given.integer("jitter-ms", 5000);
    long drainMs = given.integer("drain-ms", 10_000);
    Vertx vertx = Vertx.vertx();
    RunId runId = RunId.random();
    LoadStats stats = new LoadStats();
    LoadSetup setup = new LoadSetup(vertx, target, runId);
    int status;
    try {
      progress("signing up %d users", 2 * pairs);
      List<LoadSetup.Account> accounts = setup.signUp(2 * pairs).await(30, TimeUnit.MINUTES);
      Map<ImClient, Peer> peersByClient = new IdentityHashMap<>();
      progress("connecting %d %s clients", accounts.size(), target.transport());
      List<ImClient> clients = setup.connect(accounts, client -> {
        Peer peer = new Peer(vertx, client, runId, stats);
        synchronized (peersByClient) {
          peersByClient.put(client, peer);
        }
        return peer;
      }).await(30, TimeUnit.MINUTES);
      List<Sender> senders = new ArrayList<>(pairs);
      for (int p = 0; p < pairs; p++) {
        senders.add(new Sender(clients.get(2 * p), "to", accounts.get(2 * p + 1).uid(), p, runId, stats));
      }
      String describe = String.format("transport=%s pairs=%d rate=%d/s drop after %d s, %d s more, jitter %d ms node=%s",
          target.transport(), pairs, rate, beforeMs / 1000, afterMs / 1000, jitterMs, target.endpoint());
      GoSignal.await(given, "storm", clients.size() + " clients up");
      progress("sending: %s", describe);
      long start = System.nanoTime();
      stats.timeline().start(vertx, OneToOneLoad.PROGRESS_MS);
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(beforeMs + afterMs);
      Completable sending = Pacer.run(vertx, senders, (double) rate / pairs, start, deadline);
      Future<Void> sent = Future.fromCompletionStage(sending.toCompletionStage(null));

      Thread.sleep(beforeMs);
      progress("dropping %d connections", pairs);
      long dropNanos = System.nanoTime();
      AtomicLong lastSyncedNanos = new AtomicLong();
      Retries retries = new Retries();
      List<Future<Void>> synced = new ArrayList<>(pairs);
      for (int p = 0; p < pairs; p++) {
        ImClient old = clients.get(2 * p + 1);
        Peer peer;
        synchronized (peersByClient) {
          peer = peersByClient.get(old);
        }
        long syncFrom = peer.dropped();
        // What the dropped connection still receives (a kick racing its close) is not the peer's any more.
        old.frameHandler(frame -> { });
        old.close();
        String conv = Conv.p2p(accounts.get(2 * p).uid(), accounts.get(2 * p + 1).uid());
        int index = 2 * p + 1;
        synced.add(reconnect(vertx, setup, index, accounts.get(index), peer, conv, syncFrom,
            ThreadLocalRandom.current().nextInt(jitterMs + 1), retries)
            .onSuccess(v -> lastSyncedNanos.accumulateAndGet(System.nanoTime(), Math::max)));
      }
      // A peer whose sync left messages out is counted below, not thrown here.
      Future.join(synced).otherwiseEmpty().await(5, TimeUnit.MINUTES);
      double stormSeconds = (lastSyncedNanos.get() - dropNanos) / 1e9;
      progress("every peer synced %.1f s after the drop", stormSeconds);
      sent.await(beforeMs + afterMs + 60_000, TimeUnit.MILLISECONDS);
      stats.settled(vertx, drainMs).await(drainMs + 10_000, TimeUnit.MILLISECONDS);
      ReportFiles.finish(vertx, stats, "reconnect-storm", describe, System.nanoTime() - start,
          given.string(ReportFiles.FLAG, ""));
      System.out.printf("storm      %d peers dropped at once; all reconnected and synced %.1f s after the drop; "
        + "%d connect attempts failed and were retried; %d sync requests failed and were retried%n", pairs, stormSeconds,
          retries.connects().sum(), retries.syncs().sum());
      long failedSyncs = synced.stream().filter(Future::failed).count();
      status = stats.clean() && failedSyncs == 0 ? 0 : 2;
    } catch (Exception e) {
      System.err.println("reconnect storm failed: " + e);
      status = 1;
    } finally {
      setup.close().await();
      vertx.close().await();
    }
    return status;
  }

  /**
   * Waits {@code delayMs}, connects, then fills the gap with sync; a connect or sync request that fails (a busy node
   * refusing the connection, closing the HTTP connection, answering 503) is made again after a doubling back-off, as
   * a client would. A sync that answers but leaves messages out fails the peer.
   */
  private static Future<Void> reconnect(Vertx vertx, LoadSetup setup, int index, LoadSetup.Account account, Peer peer,
                                        String conv, long syncFrom, long delayMs, Retries retries) {
    return retried(vertx, delayMs, retries.connects(), () -> setup.connect(index, account, client -> peer))
        .compose(client -> {
          peer.attach(client);
          return retried(vertx, 0, retries.syncs(), () -> setup.sync(index, account, conv, syncFrom, SYNC_LIMIT));
        })
        .compose(result -> {
          JsonArray messages = result.getJsonArray("messages", new JsonArray());
          for (int i = 0; i < messages.size(); i++) {
            peer.synced(messages.getJsonObject(i));
          }
          long missing = result.getLong("missing", 0L);
          return missing > 0
              ? Future.failedFuture("sync left " + missing + " messages of " + conv + " out")
              : Future.succeededFuture();
        });
  }

  /** Makes {@code attempt} after {@code delayMs}, and again after a doubling back-off each time it fails. */
  private static <T> Future<T> retried(Vertx vertx, long delayMs, LongAdder retriedCount, Supplier<Future<T>> attempt) {
    Promise<T> done = Promise.promise();
    vertx.setTimer(Math.max(1, delayMs), timer -> attempt.get()
        .onSuccess(done::complete)
        .onFailure(failure -> {
          retriedCount.increment();
          retried(vertx, Math.min(MAX_BACKOFF_MS, Math.max(100, 2 * delayMs)), retriedCount, attempt).onComplete(done);
        }));
    return done.future();
  }

  /** Connect attempts and sync requests that failed and were made again. */
  private record Retries(LongAdder connects, LongAdder syncs) {
    Retries() {
      this(new LongAdder(), new LongAdder());
    }
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[storm] " + format + "%n", args);
  }
}
