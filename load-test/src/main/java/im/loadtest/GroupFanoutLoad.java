package im.loadtest;

import im.protocol.client.ImClient;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The group fan-out scenario: {@code groups} groups of {@code members} members, every member online; one member of
 * each group sends text messages into it for {@code duration} seconds (open model at {@code rate} messages a second
 * in all, or a closed window), and every other member's connection must receive each message once and in order.
 * Reports deliveries per second and their end-to-end latency.
 *
 * <p>{@code java -cp im-load-test.jar im.loadtest.GroupFanoutLoad --groups=1 --members=2000 --duration=10 --rate=100}
 */
public final class GroupFanoutLoad {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Exit status: 0 clean run, 2 run finished with errors or losses, 1 run failed, 64 bad arguments. */
  static int run(String[] args) {
    Target.Args parsed = Target.parse(args, "GroupFanoutLoad",
        List.of("groups", "members", "duration", "rate", "window", "drain-ms", ReportFiles.FLAG),
        "  --groups=1            groups, each with one sender\n"
        + "  --members=200         members per group (at most the node's groups.maxMembers), all online\n"
        + "  --duration=10         seconds of sending\n"
        + "  --rate=0              open model: messages per second over all groups (0: closed, --window)\n"
        + "  --window=1            closed model: sends per sender awaiting their ack\n"
        + "  --drain-ms=10000      after the last ack, how long to wait for deliveries\n" + ReportFiles.USAGE);
    if (parsed == null) {
      return 64;
    }
    Flags given = parsed.flags();
    Target target = parsed.target();
    int groups = given.integer("groups", 1);
    int members = given.integer("members", 200);
    long durationMs = TimeUnit.SECONDS.toMillis(given.integer("duration", 10));
    int rate = given.integer("rate", 0);
    int window = given.integer("window", 1);
    long drainMs = given.integer("drain-ms", 10_000);
    if (groups < 1 || members < 2 || window < 1 || rate < 0) {
      System.err.println("--groups >= 1, --members >= 2, --window >= 1, --rate >= 0");
      return 64;
    }
    Vertx vertx = Vertx.vertx();
    RunId runId = RunId.random();
    LoadStats stats = new LoadStats(members - 1);
    LoadSetup setup = new LoadSetup(vertx, target, runId);
    int status;
    try {
      String describe = String.format("transport=%s groups=%d members=%d duration=%ds %s node=%s", target.transport(),
          groups, members, durationMs / 1000, rate > 0 ? "rate=" + rate + "/s" : "window=" + window, target.endpoint());
      progress("signing up %d users", groups * members);
      List<LoadSetup.Account> accounts = setup.signUp(groups * members).await(30, TimeUnit.MINUTES);
      progress("connecting %d %s clients", accounts.size(), target.transport());
      List<ImClient> clients = setup.connect(accounts, client -> new Peer(vertx, client, runId, stats))
          .await(30, TimeUnit.MINUTES);
      List<Sender> senders = new ArrayList<>(groups);
      for (int g = 0; g < groups; g++) {
        List<LoadSetup.Account> group = accounts.subList(g * members, (g + 1) * members);
        List<String> others = group.subList(1, members).stream().map(LoadSetup.Account::uid).toList();
        String conv = setup.createGroup(group.get(0), others, "load " + runId.value() + " " + g).await(60, TimeUnit.SECONDS);
        senders.add(new Sender(clients.get(g * members), "conv", conv, g, runId, stats));
      }
      progress("sending: %s", describe);
      long start = System.nanoTime();
      stats.timeline().start(vertx, OneToOneLoad.PROGRESS_MS);
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(durationMs);
      Completable sending = rate > 0
          ? Pacer.run(vertx, senders, (double) rate / groups, start, deadline)
          : Completable.merge(senders.stream().map(sender -> sender.sends(0, window, deadline)).toList());
      Future.fromCompletionStage(sending.toCompletionStage(null)).await(durationMs + 60_000, TimeUnit.MILLISECONDS);
      stats.settled(vertx, drainMs).await(drainMs + 10_000, TimeUnit.MILLISECONDS);
      ReportFiles.finish(vertx, stats, "group-fanout", describe, System.nanoTime() - start,
          given.string(ReportFiles.FLAG, ""));
      status = stats.clean() ? 0 : 2;
    } catch (Exception e) {
      System.err.println("group fan-out run failed: " + e);
      status = 1;
    } finally {
      setup.close().await();
      vertx.close().await();
    }
    return status;
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[fanout] " + format + "%n", args);
  }
}
