package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import im.testing.Poll;
import im.testing.TestUsers;
import im.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reconnect storm as a fault across nodes: {@value #PEERS} clients, half on each node of a two-node cluster (a
 * {@code Main} process and the observer), drop at once while {@value #SENDERS} senders keep writing to them; each
 * reconnects to the other node after a random delay (doubling its back-off when refused) and syncs from the last seq
 * it holds. Every acked message must reach its peer (live or synced), none twice live, none stored twice.
 */
class ReconnectStormFaultTest {

  private static final int PEERS = 1000;
  private static final int SENDERS = 20;
  private static final int JITTER_MS = 3000;
  private static final int SIGN_UPS_IN_FLIGHT = 32;

  @Test
  void aThousandClientsDroppingAtOnceAcrossTwoNodesLoseAndDoubleNothing() throws Exception {
    try (TestCluster cluster = TestCluster.start(1)) {
      List<Endpoint> nodes = List.of(new Endpoint("127.0.0.1", cluster.localHttpPort()),
          new Endpoint("127.0.0.1", cluster.processes.get(0).httpPort()));
      List<TestUser> users = signUp(cluster.localHttp(), SENDERS + PEERS);
      List<TestUser> senderUsers = users.subList(0, SENDERS);
      List<Peer> peers = new ArrayList<>();
      List<Future<Void>> connected = new ArrayList<>();
      for (int i = 0; i < PEERS; i++) {
        Peer peer = new Peer(cluster, users.get(SENDERS + i), senderUsers.get(i % SENDERS), i % 2);
        peers.add(peer);
        connected.add(peer.connect(nodes.get(peer.node)));
      }
      Future.all(connected).await(120, TimeUnit.SECONDS);

      List<RoundRobinSender> senders = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        List<Peer> mine = new ArrayList<>();
        for (int i = s; i < PEERS; i += SENDERS) {
          mine.add(peers.get(i));
        }
        senders.add(new RoundRobinSender(cluster, senderUsers.get(s), mine, nodes.get(s % 2)).start());
      }
      Poll.until(() -> senders.stream().allMatch(s -> s.acks.get() >= PEERS / SENDERS || s.failure != null),
          Duration.ofSeconds(120), "every peer to have a message before the drop");

      long dropped = System.nanoTime();
      AtomicLong lastSynced = new AtomicLong();
      AtomicInteger refusedConnects = new AtomicInteger();
      List<Future<Void>> synced = new ArrayList<>();
      for (Peer peer : peers) {
        long syncFrom = peer.drop();
        Endpoint other = nodes.get(1 - peer.node);
        synced.add(peer.reconnect(other, ThreadLocalRandom.current().nextInt(JITTER_MS + 1), refusedConnects)
            .compose(v -> peer.sync(syncFrom))
            .onSuccess(v -> lastSynced.accumulateAndGet(System.nanoTime(), Math::max)));
      }
      Future.all(synced).await(180, TimeUnit.SECONDS);
      long stormMs = TimeUnit.NANOSECONDS.toMillis(lastSynced.get() - dropped);
      int ackedAtSync = senders.stream().mapToInt(s -> s.acks.get()).sum();
      Poll.until(() -> senders.stream().mapToInt(s -> s.acks.get()).sum() >= ackedAtSync + PEERS / 2,
          Duration.ofSeconds(60), "live traffic after the storm");
      for (RoundRobinSender sender : senders) {
        sender.stop();
      }

      Poll.until(() -> peers.stream().allMatch(Peer::hasEveryAck), Duration.ofSeconds(30),
          "every acked message at its peer");
      int acked = senders.stream().mapToInt(s -> s.acks.get()).sum();
      int liveTwice = peers.stream().mapToInt(p -> p.liveTwice.get()).sum();
      int storedTwice = peers.stream().mapToInt(p -> p.storedTwice.get()).sum();
      System.out.printf("reconnect storm: %d clients on 2 nodes dropped at once; all reconnected to the other node and"
              + " synced %d ms after the drop (%d connects refused and retried); %d acked, 0 lost, %d delivered twice"
              + " live, %d stored twice%n", PEERS, stormMs, refusedConnects.get(), acked, liveTwice, storedTwice);
      assertEquals(0, liveTwice, "messages delivered twice on one connection");
      assertEquals(0, storedTwice, "cmids stored at two seqs");
      peers.forEach(Peer::close);
    }
  }

  private static List<TestUser> signUp(ImHttp http, int count) {
    List<TestUser> users = new ArrayList<>();
    for (int from = 0; from < count; from += SIGN_UPS_IN_FLIGHT) {
      List<Future<TestUser>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + SIGN_UPS_IN_FLIGHT); i++) {
        batch.add(TestUsers.signUp(http, "s"));
      }
      Future.all(batch).await();
      batch.forEach(f -> users.add(f.result()));
    }
    return users;
  }

  /** A receiving client: what reached it live and through sync, by seq and by cmid. */
  private static final class Peer {
    final TestCluster cluster;
    final TestUser user;
    final String conv;
    final int node;
    final Set<Long> received = ConcurrentHashMap.newKeySet();
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final Map<String, Long> seqByCmid = new ConcurrentHashMap<>();
    final AtomicInteger liveTwice = new AtomicInteger();
    final AtomicInteger storedTwice = new AtomicInteger();
    volatile ImClient client;

    Peer(TestCluster cluster, TestUser user, TestUser sender, int node) {
      this.cluster = cluster;
      this.user = user;
      this.conv = Conv.p2p(sender.uid(), user.uid());
      this.node = node;
    }

    Future<Void> connect(Endpoint endpoint) {
      return ImClient.ws(cluster.vertx, endpoint.host(), endpoint.port()).compose(c -> {
        Set<Long> live = ConcurrentHashMap.newKeySet();
        c.recordFrames(false).frameHandler(frame -> {
          if (Op.MSG.wireName().equals(frame.getString("t")) && conv.equals(frame.getString("conv"))) {
            if (!live.add(frame.getLong("seq"))) {
              liveTwice.incrementAndGet();
            }
            note(frame);
          }
        });
        return c.auth(user.token(), "phone").onFailure(e -> c.close()).map(ok -> {
          client = c;
          return null;
        });
      });
    }

    /** Closes the connection; returns the seq up to which the peer holds every message: where its sync starts. */
    long drop() {
      ImClient old = client;
      // What the dropped connection still receives (a kick racing its close) is not the peer's any more.
      old.frameHandler(frame -> { });
      old.close();
      long upTo = 0;
      while (received.contains(upTo + 1)) {
        upTo++;
      }
      return upTo;
    }

    Future<Void> reconnect(Endpoint endpoint, long delayMs, AtomicInteger refused) {
      Promise<Void> done = Promise.promise();
      cluster.vertx.setTimer(Math.max(1, delayMs), t -> connect(endpoint).onComplete(result -> {
        if (result.succeeded()) {
          done.complete();
        } else {
          refused.incrementAndGet();
          reconnect(endpoint, Math.min(2000, Math.max(100, 2 * delayMs)), refused).onComplete(done);
        }
      }));
      return done.future();
    }

    Future<Void> sync(long fromSeq) {
      JsonObject body = new JsonObject().put("convs", new JsonArray().add(new JsonObject().put("conv", conv)
          .put("seq", fromSeq))).put("limit", 1000);
      return cluster.localHttp().post("/api/v1/sync", user.token(), body).map(result -> {
        if (result.status() != 200) {
          throw new IllegalStateException("sync: HTTP " + result.status() + " " + result.raw());
        }
        JsonArray convs = result.json().getJsonArray("convs");
        if (!convs.isEmpty()) {
          convs.getJsonObject(0).getJsonArray("messages").forEach(m -> note((JsonObject) m));
        }
        return null;
      });
    }

    void note(JsonObject message) {
      long seq = message.getLong("seq");
      received.add(seq);
      Long earlier = seqByCmid.putIfAbsent(message.getString("cmid"), seq);
      if (earlier != null && earlier != seq) {
        storedTwice.incrementAndGet();
      }
    }

    boolean hasEveryAck() {
      return received.containsAll(acked);
    }

    void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  /** A sender writing to its peers in turn, each message retried with its cmid until acked. */
  private static final class RoundRobinSender extends BackgroundLoop<RoundRobinSender> {
    final TestCluster cluster;
    final TestUser user;
    final List<Peer> peers;
    final Endpoint endpoint;
    final AtomicInteger acks = new AtomicInteger();

    RoundRobinSender(TestCluster cluster, TestUser user, List<Peer> peers, Endpoint endpoint) {
      super("storm-sender", 60_000);
      this.cluster = cluster;
      this.user = user;
      this.peers = peers;
      this.endpoint = endpoint;
    }

    @Override
    void loop() throws Exception {
      ImClient client = ImClient.ws(cluster.vertx, endpoint.host(), endpoint.port()).await(10, TimeUnit.SECONDS);
      client.recordFrames(false).frameHandler(frame -> { });
      client.auth(user.token(), "phone").await(10, TimeUnit.SECONDS);
      for (int n = 0; !stopping(); n++) {
        Peer peer = peers.get(n % peers.size());
        JsonObject send = TestCluster.text(user.uid() + "-" + n, peer.conv, "storm " + n);
        peer.acked.add(TestCluster.sendUntilAcked(client, send, System.nanoTime() + TimeUnit.SECONDS.toNanos(40))
            .getLong("seq"));
        acks.incrementAndGet();
        TimeUnit.MILLISECONDS.sleep(20);
      }
      client.close();
    }
  }
}
