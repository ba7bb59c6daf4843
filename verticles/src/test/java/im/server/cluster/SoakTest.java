package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.shared.routes.HazelcastRoutingTable;
import im.testing.NodeProcess;
import im.testing.Poll;
import im.testing.TestDatabase;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Soak: mixed traffic (one-to-one and group senders, a room, presence changes, clients that keep reconnecting) over
 * a three-node cluster (the observer and two {@code Main} processes) while one process is restarted every few
 * minutes; {@value #IDLE_USERS} idle users stay connected throughout. Samples the process that is never restarted
 * (heap after a full GC, open files, threads), the routing table and Redis (a private one: keys per idle user), and
 * checks that none grows and that no acked message is lost or doubled.
 *
 * <p>{@code -Dim.soak.minutes} sets the length: 1 in the normal build, 30 with {@code -Psoak}.
 */
class SoakTest {

  private static final double MINUTES = Double.parseDouble(System.getProperty("im.soak.minutes", "1"));
  private static final int IDLE_USERS = 200;
  private static final int CHURNING_USERS = 10;

  private record Sample(long atSeconds, long heapBytes, long openFiles, long threads, int routeEntries,
                        long redisKeys) {
    @Override
    public String toString() {
      return String.format("%4d s  heap after GC %5.1f MB  open files %4d  threads %3d  route entries %4d  "
          + "Redis keys %5d (%.2f per idle user)", atSeconds, heapBytes / 1e6, openFiles, threads, routeEntries,
          redisKeys, (double) redisKeys / IDLE_USERS);
    }
  }

  @Test
  void mixedTrafficWithANodeRestartedEveryFewMinutesStaysFlatAndLosesNothing() throws Exception {
    assumeTrue(PrivateRedis.installed(), "needs redis-server on the PATH");
    long durationMs = (long) (MINUTES * 60_000);
    long restartEveryMs = Math.min(5 * 60_000, durationMs / 2);
    long sampleEveryMs = Math.max(15_000, durationMs / 30);
    try (PrivateRedis redis = PrivateRedis.start("127.0.0.1");
         TestCluster cluster = TestCluster.start(2, TestDatabase.URL, redis.url())) {
      NodeProcess stable = cluster.processes.get(0);
      NodeProcess restarted = cluster.processes.get(1);
      Supplier<Endpoint> local = Endpoint.local(cluster::localHttpPort);
      Supplier<Endpoint> onStable = Endpoint.local(stable::httpPort);
      Supplier<Endpoint> onRestarted = Endpoint.local(restarted::httpPort);

      List<ImClient> idle = new ArrayList<>();
      for (int i = 0; i < IDLE_USERS; i++) {
        TestUser user = cluster.newUser();
        ImClient client = cluster.connect(i % 2 == 0 ? cluster.localHttpPort() : stable.httpPort(), user, "phone");
        idle.add(client.recordFrames(false).frameHandler(frame -> { }));
      }

      List<Sender> senders = new ArrayList<>();
      List<TestUser> readers = new ArrayList<>();
      List<String> convs = new ArrayList<>();
      for (List<Supplier<Endpoint>> route : List.of(List.of(onRestarted, local), List.of(onStable, local))) {
        TestUser from = cluster.newUser();
        TestUser to = cluster.newUser();
        String conv = Conv.p2p(from.uid(), to.uid());
        senders.add(new Sender(cluster.vertx, from, conv, route, "p" + senders.size(), 50).start());
        readers.add(to);
        convs.add(conv);
      }
      TestUser owner = cluster.newUser();
      JsonArray members = new JsonArray();
      for (int i = 0; i < 5; i++) {
        members.add(cluster.newUser().uid());
      }
      String group = await(cluster.localHttp().post("/api/v1/groups", owner.token(),
          new JsonObject().put("name", "soak").put("members", members))).json().getString("conv");
      senders.add(new Sender(cluster.vertx, owner, group, List.of(onRestarted, onStable, local), "g", 50).start());
      readers.add(owner);
      convs.add(group);
      String room = await(cluster.localHttp().post("/api/v1/rooms", owner.token(),
          new JsonObject().put("name", "soak room"))).json().getString("conv");

      Churn churn = new Churn(cluster, room, List.of(local, onStable, onRestarted)).start();
      List<Sample> samples = new ArrayList<>();
      long started = System.nanoTime();
      long nextRestart = restartEveryMs;
      int restarts = 0;
      while (elapsedMs(started) < durationMs) {
        TimeUnit.MILLISECONDS.sleep(Math.min(sampleEveryMs, durationMs - elapsedMs(started)));
        if (elapsedMs(started) >= nextRestart && elapsedMs(started) < durationMs - 10_000) {
          restart(cluster, restarted);
          restarts++;
          nextRestart += restartEveryMs;
        }
        samples.add(sample(cluster, stable, redis, elapsedMs(started) / 1000));
        System.out.println("soak: " + samples.get(samples.size() - 1));
        for (Sender sender : senders) {
          if (sender.failure != null) {
            throw new AssertionError("a sender failed", sender.failure);
          }
        }
      }
      churn.stop();
      for (Sender sender : senders) {
        sender.stop();
      }
      int acked = 0;
      for (int i = 0; i < senders.size(); i++) {
        senders.get(i).assertEveryAckStoredOnce(cluster.history(cluster.localHttpPort(), readers.get(i), convs.get(i)));
        acked += senders.get(i).acked.size();
      }
      System.out.printf("soak: %.1f min, %d restarts of %s, %d acked (1:1 and group), 0 lost, 0 doubled;"
              + " %d reconnects and %d room messages by the churning clients%n",
          MINUTES, restarts, restarted.nodeId, acked, churn.connections.get(), churn.roomMessages.get());
      assertTrue(restarts >= 1, "a node was restarted");
      assertFlat(samples);
      idle.forEach(ImClient::close);
    }
  }

  /** The first sample is the baseline (after warm-up): later ones may move within bounds, not grow with time. */
  private static void assertFlat(List<Sample> samples) {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    assertTrue(last.heapBytes() <= first.heapBytes() * 1.5 + 32e6, "heap after GC grew: " + first + " -> " + last);
    assertTrue(last.openFiles() <= first.openFiles() + 40, "open files grew: " + first + " -> " + last);
    assertTrue(last.threads() <= first.threads() + 20, "threads grew: " + first + " -> " + last);
    assertTrue(last.routeEntries() <= first.routeEntries() + CHURNING_USERS + 10,
        "route entries grew: " + first + " -> " + last);
    assertTrue(last.redisKeys() <= first.redisKeys() * 1.2 + 50, "Redis keys grew: " + first + " -> " + last);
  }

  private static void restart(TestCluster cluster, NodeProcess node) throws Exception {
    if (node.terminate() != 0) {
      throw new AssertionError(node.nodeId + " did not drain cleanly: " + node.output());
    }
    node.start();
    node.awaitHealthy(cluster.vertx, TestCluster.PROCESS_START_LIMIT);
    cluster.awaitMembers(3, Duration.ofSeconds(60));
  }

  private static Sample sample(TestCluster cluster, NodeProcess node, PrivateRedis redis, long atSeconds)
      throws Exception {
    Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(node.pid()), "GC.run").redirectErrorStream(true).start();
    gc.getInputStream().readAllBytes();
    gc.waitFor(60, TimeUnit.SECONDS);
    String metrics = await(cluster.http(node.httpPort()).get("/metrics", null)).raw().toString();
    int routeEntries = cluster.local.node().hazelcast().getMap(HazelcastRoutingTable.MAP).size();
    return new Sample(atSeconds, (long) sum(metrics, "jvm_memory_used_bytes{area=\"heap\""),
        (long) sum(metrics, "process_files_open_files"), (long) sum(metrics, "jvm_threads_live_threads"),
        routeEntries, redis.keys());
  }

  /** The sum of the Prometheus samples whose line starts with {@code prefix}. */
  private static double sum(String metrics, String prefix) {
    double total = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static long elapsedMs(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /**
   * Users who keep coming and going: each connects to a node in turn, joins the room and says something there,
   * sets its presence, and leaves, over and over (a node being down just moves it to the next).
   */
  private static final class Churn extends BackgroundLoop<Churn> {
    final TestCluster cluster;
    final String room;
    final List<Supplier<Endpoint>> nodes;
    final List<TestUser> users = new ArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger roomMessages = new AtomicInteger();

    Churn(TestCluster cluster, String room, List<Supplier<Endpoint>> nodes) {
      super("soak-churn", 60_000);
      this.cluster = cluster;
      this.room = room;
      this.nodes = nodes;
      for (int i = 0; i < CHURNING_USERS; i++) {
        users.add(await(TestUsers.signUp(cluster.localHttp(), "churn")));
      }
    }

    @Override
    void loop() throws Exception {
      for (int n = 0; !stopping(); n++) {
        TestUser user = users.get(n % users.size());
        Endpoint endpoint = nodes.get(n % nodes.size()).get();
        ImClient client;
        try {
          client = ImClient.ws(cluster.vertx, endpoint.host(), endpoint.port()).await(5, TimeUnit.SECONDS);
          client.recordFrames(false).frameHandler(frame -> { });
          client.auth(user.token(), "churn").await(5, TimeUnit.SECONDS);
        } catch (Exception nodeDown) {
          continue;
        }
        connections.incrementAndGet();
        try {
          client.request(Op.JOIN, new JsonObject().put("conv", room)).await(5, TimeUnit.SECONDS);
          JsonObject said = client.request(Op.SEND, TestCluster.text("churn-" + n, room, "hello " + n))
              .await(5, TimeUnit.SECONDS);
          if ("ack".equals(said.getString("t"))) {
            roomMessages.incrementAndGet();
          }
          String status = ThreadLocalRandom.current().nextBoolean() ? "away" : "busy";
          client.request(Op.PRESENCE, new JsonObject().put("id", n).put("status", status))
              .await(5, TimeUnit.SECONDS);
        } catch (Exception nodeGoingDown) {
          // a restart under way: the next round goes elsewhere
        } finally {
          client.close();
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }
}
