package im.loadtest;

import im.protocol.Op;
import im.protocol.client.ImClient;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * The connections scenario: ramps to N authenticated idle connections (spread over {@code --nodes}), holds them
 * (with the heartbeats every connection of {@link LoadSetup} sends), optionally proves that users are reachable
 * across the nodes ({@code --reach-sample}, see {@link ReachSample}), and reports the connect rate, errors, and the
 * first node's heap and resident set per connection (before and after, each after a full GC when {@code --node-pid}
 * is given).
 *
 * <p>{@code java -cp im-load-test.jar im.loadtest.ConnectionsLoad --connections=10000 --node-pid=PID ...}. Every
 * connection is a fresh user, signed up over HTTP: run the node with a low {@code security.passwordIterations} for
 * large N (hashing is the set-up's cost, not the connection's). One process holds at most ~19,500 sockets here
 * (20,000 open files): spread more over several generator processes ({@code --first-index}, {@code --await-go}) and
 * {@code --source-addresses}; {@code load-test/connections-cluster.sh} does that.
 */
public final class ConnectionsLoad {

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  /** Exit status: 0 clean run, 2 run finished with errors or losses, 1 run failed, 64 bad arguments. */
  static int run(String[] args) throws Exception {
    Target.Args parsed = Target.parse(args, "ConnectionsLoad",
        List.of("connections", "hold", "node-pid", "reach-sample", GoSignal.FLAG),
        "  --connections=1000    authenticated connections to open\n"
        + "  --hold=10             seconds to hold them, with heartbeats\n"
        + "  --node-pid=0          the (first) node's pid on this machine: full GC before each sample, and its RSS\n"
        + "  --reach-sample=0      once all are up, send one message each between this many random (sender,\n"
        + "                        recipient) pairs on different nodes and check that every recipient gets it\n"
        + GoSignal.USAGE);
    if (parsed == null) {
      return 64;
    }
    Flags given = parsed.flags();
    Target target = parsed.target();
    int connections = given.integer("connections", 1000);
    int holdSeconds = given.integer("hold", 10);
    long pid = given.integer("node-pid", 0);
    int reachSize = given.integer("reach-sample", 0);
    if (connections < 1 || holdSeconds < 0 || reachSize < 0 || (reachSize > 0 && connections < 2)) {
      System.err.println("--connections must be >= 1 (>= 2 with --reach-sample), --hold and --reach-sample >= 0");
      return 64;
    }
    Vertx vertx = Vertx.vertx();
    NodeProbe probe = new NodeProbe(vertx, target.host(), target.httpPort(), pid);
    RunId runId = RunId.random();
    LoadSetup setup = new LoadSetup(vertx, target, runId);
    ReachSample reach = new ReachSample(vertx, runId);
    LongAdder dropped = new LongAdder();
    int status;
    try {
      progress("signing up %d users", connections);
      List<LoadSetup.Account> accounts = setup.signUp(connections).await(30, TimeUnit.MINUTES);
      NodeProbe.Memory before = probe.sample();
      progress("connecting %d %s clients", connections, target.transport());
      long startMs = System.currentTimeMillis();
      long start = System.nanoTime();
      List<ImClient> clients = setup.connect(accounts, client -> frame -> {
        if (Op.KICKED.wireName().equals(frame.getValue("t"))) {
          dropped.increment();
        }
        reach.onFrame(client, frame);
      }).await(30, TimeUnit.MINUTES);
      Connected connected = new Connected(connections, (System.nanoTime() - start) / 1e9, startMs,
          System.currentTimeMillis());
      GoSignal.await(given, "connections", connections + " connections up");
      ReachSample.Result reached = null;
      if (reachSize > 0) {
        progress("sending to %d sampled recipients", reachSize);
        reached = reach.run(target, clients, accounts, reachSize, target.setupConcurrency())
            .await(10, TimeUnit.MINUTES);
      }
      progress("holding %d connections for %d s", clients.size(), holdSeconds);
      Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
      NodeProbe.Memory after = probe.sample();
      long open = clients.stream().filter(c -> !c.closed().isComplete()).count();
      int onProbedNode = (int) IntStream.range(0, connections)
          .filter(i -> target.node(i).equals(target.nodes().get(0))).count();
      System.out.println(report(target, connected, open, dropped.sum(), reached, onProbedNode, before, after));
      status = open == connections && dropped.sum() == 0 && (reached == null || reached.clean()) ? 0 : 2;
    } catch (Exception e) {
      System.err.println("connections run failed: " + e);
      status = 1;
    } finally {
      setup.close().await(60, TimeUnit.SECONDS);
      probe.close();
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    return status;
  }

  /** How the connecting went: {@code count} in {@code seconds}, between two wall-clock times (ms since epoch). */
  record Connected(int count, double seconds, long startMs, long endMs) {}

  /**
   * @param onProbedNode this process's connections on the node whose memory was sampled (the first)
   * @param reached      the reach sample's result, or null when none was asked for
   */
  static String report(Target target, Connected connected, long open, long dropped, ReachSample.Result reached,
                       int onProbedNode, NodeProbe.Memory before, NodeProbe.Memory after) {
    double perConnection = 1024.0 * Math.max(1, onProbedNode);
    StringBuilder out = new StringBuilder();
    out.append(String.format("transport=%s connections=%d first-index=%d node=%s%n", target.transport(),
        connected.count(), target.firstIndex(), target.endpoint()));
    // The wall-clock window lets a script that ran several generators at once compute their joint rate.
    out.append(String.format("connected  %d in %.1f s = %.0f connections/s (wall clock %d..%d ms); "
        + "still open after the hold: %d; kicked: %d%n", connected.count(), connected.seconds(),
        connected.count() / connected.seconds(), connected.startMs(), connected.endMs(), open, dropped));
    if (reached != null) {
      out.append(reached.line()).append('\n');
    }
    String probed = target.nodes().size() > 1 ? " on the first node" : "";
    out.append(String.format("heap       %.1f MB -> %.1f MB = %.1f KB per connection%s%n", before.heapBytes() / 1e6,
        after.heapBytes() / 1e6, (after.heapBytes() - before.heapBytes()) / perConnection, probed));
    if (after.rssBytes() > 0) {
      out.append(String.format("rss        %.1f MB -> %.1f MB = %.1f KB per connection%s%n", before.rssBytes() / 1e6,
          after.rssBytes() / 1e6, (after.rssBytes() - before.rssBytes()) / perConnection, probed));
    }
    return out.toString().trim();
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[connections] " + format + "%n", args);
  }
}
