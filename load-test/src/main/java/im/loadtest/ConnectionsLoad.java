package im.loadtest;

import im.protocol.Op;
import im.protocol.client.ImClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connections scenario: ramps to N authenticated idle connections against one node, holds them with heartbeats,
 * and reports the connect rate, errors, and the node's heap and resident set per connection (before and after, each
 * after a full GC when {@code --node-pid} is given).
 *
 * <p>{@code java -cp im-load-test.jar im.loadtest.ConnectionsLoad --connections=10000 --node-pid=PID ...}. Every
 * connection is a fresh user, signed up over HTTP: run the node with a low {@code security.passwordIterations} for
 * large N (hashing is the set-up's cost, not the connection's). One process holds at most ~19,500 sockets here
 * (20,000 open files): spread more over several generator processes and {@code --source-addresses}.
 */
public final class ConnectionsLoad {

  private static final long HEARTBEAT_MS = 30_000;

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  /** Exit status: 0 clean run, 2 run finished with errors or losses, 1 run failed, 64 bad arguments. */
  static int run(String[] args) throws Exception {
    Target.Args parsed = Target.parse(args, "ConnectionsLoad",
        List.of("connections", "hold", "node-pid"),
        "  --connections=1000    authenticated connections to open\n"
        + "  --hold=10             seconds to hold them, with heartbeats\n"
        + "  --node-pid=0          the node's pid on this machine: full GC before each sample, and its RSS");
    if (parsed == null) {
      return 64;
    }
    Flags given = parsed.flags();
    Target target = parsed.target();
    int connections = given.integer("connections", 1000);
    int holdSeconds = given.integer("hold", 10);
    long pid = given.integer("node-pid", 0);
    Vertx vertx = Vertx.vertx();
    NodeProbe probe = new NodeProbe(vertx, target.host(), target.httpPort(), pid);
    LoadSetup setup = new LoadSetup(vertx, target, RunId.random());
    LongAdder dropped = new LongAdder();
    int status = 0;
    try {
      progress("signing up %d users", connections);
      List<LoadSetup.Account> accounts = setup.signUp(connections).await(30, TimeUnit.MINUTES);
      NodeProbe.Memory before = probe.sample();
      progress("connecting %d %s clients", connections, target.transport());
      long start = System.nanoTime();
      List<ImClient> clients = setup.connect(accounts, client -> frame -> {
        if (Op.KICKED.wireName().equals(frame.getValue("t"))) {
          dropped.increment();
        }
      }).await(30, TimeUnit.MINUTES);
      double connectSeconds = (System.nanoTime() - start) / 1e9;
      progress("holding %d connections for %d s", clients.size(), holdSeconds);
      long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> clients.forEach(c -> c.send(Op.PING, new JsonObject())));
      Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
      vertx.cancelTimer(heartbeat);
      NodeProbe.Memory after = probe.sample();
      long open = clients.stream().filter(c -> !c.closed().isComplete()).count();
      System.out.println(report(target, connections, connectSeconds, open, dropped.sum(), before, after));
      status = open == connections && dropped.sum() == 0 ? 0 : 2;
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

  static String report(Target target, int connections, double connectSeconds, long open, long dropped,
                       NodeProbe.Memory before, NodeProbe.Memory after) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("transport=%s connections=%d node=%s%n", target.transport(), connections, target.endpoint()));
    out.append(String.format("connected  %d in %.1f s = %.0f connections/s; still open after the hold: %d; kicked: %d%n",
        connections, connectSeconds, connections / connectSeconds, open, dropped));
    out.append(String.format("heap       %.1f MB -> %.1f MB = %.1f KB per connection%n", before.heapBytes() / 1e6,
        after.heapBytes() / 1e6, (after.heapBytes() - before.heapBytes()) / 1024.0 / connections));
    if (after.rssBytes() > 0) {
      out.append(String.format("rss        %.1f MB -> %.1f MB = %.1f KB per connection%n", before.rssBytes() / 1e6,
          after.rssBytes() / 1e6, (after.rssBytes() - before.rssBytes()) / 1024.0 / connections));
    }
    return out.toString().trim();
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[connections] " + format + "%n", args);
  }
}
