package im.loadtest;

import im.protocol.client.ImClient;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One-to-one load against a running node: {@code pairs} senders each send text messages to their own
 * peer over WebSocket or TCP, with at most {@code window} sends awaiting their ack, and the run reports
 * acked messages per second, ack latency, delivery to the peers and errors by code.
 *
 * <p>Users are fresh (random usernames) on every run, registered and logged in over HTTP by
 * {@link LoadSetup}; each pair is a {@link Sender} and a {@link Peer}. Everything runs on one Vert.x
 * instance without blocking; only {@code main} waits.
 */
public final class OneToOneLoad {

  /** How often a progress line is printed while sending. */
  static final long PROGRESS_MS = 2000;

  private final Vertx vertx;
  private final LoadOptions options;
  private final LoadStats stats = new LoadStats();
  private final RunId runId = RunId.random();

  OneToOneLoad(Vertx vertx, LoadOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Exit status: 0 clean run, 2 run finished with errors or missing deliveries, 1 setup failed, 64 bad arguments. */
  static int run(String[] args) {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(LoadOptions.USAGE);
      return 64;
    }
    Vertx vertx = Vertx.vertx();
    try {
      if (options.warmupMs() > 0) {
        warmUp(vertx, options);
      }
      if (options.findMax()) {
        return MaxRateSearch.run(options, step -> new OneToOneLoad(vertx, step).measureOnce());
      }
      return new OneToOneLoad(vertx, options).measureOnce().await().getBoolean("clean") ? 0 : 2;
    } catch (Exception e) {
      // await() rethrows the cause as it is, checked exceptions such as ConnectException included.
      System.err.println("load run failed: " + e);
      return 1;
    } finally {
      vertx.close().await();
    }
  }

  /** Runs {@link LoadOptions#warmUp} and says how it went on stderr: its report is not the run's. */
  private static void warmUp(Vertx vertx, LoadOptions options) {
    progress("warming up for %.0f s (not reported)", options.warmupMs() / 1000.0);
    JsonObject warm = new OneToOneLoad(vertx, options.warmUp()).measureOnce(false).await();
    progress("warm-up done: %.0f msg/s acked, clean=%s", warm.getDouble("ackedPerSecond"), warm.getBoolean("clean"));
  }

  /** Completes with the run's summary (see {@link LoadStats#summary}) once its report is printed. */
  Future<JsonObject> measureOnce() {
    return measureOnce(true);
  }

  private Future<JsonObject> measureOnce(boolean report) {
    LoadSetup setup = new LoadSetup(vertx, options.target(), runId);
    progress("signing up %d users", 2 * options.pairs());
    return setup.signUp(2 * options.pairs())
        .compose(accounts -> {
          progress("connecting %d %s clients", accounts.size(), options.target().transport());
          return setup.connect(accounts, client -> new Peer(vertx, client, runId, stats))
              .compose(clients -> measure(accounts, clients, report));
        })
        .eventually(setup::close);
  }

  /** Even indexes send to the odd index after them, which receives. */
  private Future<JsonObject> measure(List<LoadSetup.Account> accounts, List<ImClient> clients, boolean report) {
    List<Sender> senders = IntStream.range(0, options.pairs())
        .mapToObj(pair -> new Sender(clients.get(2 * pair), "to", accounts.get(2 * pair + 1).uid(), pair, runId, stats))
        .toList();
    progress("sending: %s", options.describe());
    long startNanos = System.nanoTime();
    stats.timeline().start(vertx, PROGRESS_MS);
    long deadline = options.timed() ? startNanos + TimeUnit.MILLISECONDS.toNanos(options.durationMs()) : 0;
    Completable sending = options.openModel()
        ? Pacer.run(vertx, senders, (double) options.rate() / options.pairs(), startNanos, deadline)
        : Completable.merge(senders.stream()
            .map(sender -> sender.sends(options.messages(), options.window(), deadline)).toList());
    return Future.fromCompletionStage(sending.toCompletionStage(null))
        .compose(sent -> {
          long elapsed = System.nanoTime() - startNanos;
          return stats.settled(vertx, options.drainMs()).map(settled -> {
            if (!report) {
              stats.timeline().stop(vertx);
              return stats.summary(options.describe(), elapsed);
            }
            try {
              ReportFiles.finish(vertx, stats, "one-to-one", options.describe(), elapsed, options.reportDir());
            } catch (IOException e) {
              System.err.println("report files not written: " + e);
            }
            return stats.summary(options.describe(), elapsed);
          });
        });
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[load] " + format + "%n", args);
  }
}
