package im.shared.routes;

import com.hazelcast.core.EntryView;
import im.shared.cluster.ClusterNodes;
import im.shared.cluster.ClusterSetup;
import im.testing.Poll;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static im.shared.cluster.ClusterNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HazelcastRoutingTableTest {

  private final ClusterNodes cluster = new ClusterNodes();
  private ClusterNodes.Node nodeA;
  private ClusterNodes.Node nodeB;
  private HazelcastRoutingTable tableA;
  private HazelcastRoutingTable tableB;

  @BeforeEach
  void start() {
    nodeA = cluster.start("node-a");
    nodeB = cluster.start("node-b");
    tableA = new HazelcastRoutingTable(nodeA.vertx(), ClusterSetup.hazelcast(nodeA.clusterManager()));
    tableB = new HazelcastRoutingTable(nodeB.vertx(), ClusterSetup.hazelcast(nodeB.clusterManager()));
    await(tableA.start());
    await(tableB.start());
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static String uid() {
    return "u-" + UUID.randomUUID();
  }

  @Test
  void addRemoveAndLookupFromBothMembers() {
    String alice = uid();
    String bob = uid();
    await(tableA.add(alice, "node-a", "phone"));
    await(tableB.add(alice, "node-b", "laptop"));
    await(tableB.add(alice, "node-b", "tablet"));
    await(tableA.add(bob, "node-a", "web"));

    Map<String, Map<String, Set<String>>> fromB = await(tableB.lookup(List.of(alice, bob, uid())));
    assertEquals(Map.of(
        alice, Map.of("node-a", Set.of("phone"), "node-b", Set.of("laptop", "tablet")),
        bob, Map.of("node-a", Set.of("web"))), fromB);

    await(tableA.remove(alice, "node-b", "laptop"));
    await(tableB.remove(alice, "node-a", "phone"));
    await(tableB.remove(alice, "node-a", "never-added"));
    assertEquals(Map.of(alice, Map.of("node-b", Set.of("tablet"))), await(tableA.lookup(Set.of(alice))));

    await(tableA.remove(alice, "node-b", "tablet"));
    assertEquals(Map.of(), await(tableA.lookup(List.of(alice))));
    assertFalse(ClusterSetup.hazelcast(nodeA.clusterManager()).getMap(HazelcastRoutingTable.MAP).containsKey(alice),
        "an entry whose last route is removed must go");
    assertEquals(Map.of(), await(tableB.lookup(List.of())));
  }

  @Test
  void aLookupOfAWholeLargeGroupFindsEveryRouteAcrossPartitionsAndMembers() {
    Map<String, Map<String, Set<String>>> expected = new HashMap<>();
    List<Future<Void>> adds = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      String uid = uid();
      String node = i % 2 == 0 ? "node-a" : "node-b";
      expected.put(uid, Map.of(node, Set.of("d" + i)));
      adds.add((i % 3 == 0 ? tableA : tableB).add(uid, node, "d" + i));
    }
    await(Future.all(adds));
    List<String> members = new ArrayList<>(expected.keySet());
    for (int i = 0; i < 100; i++) {
      members.add(uid());
    }

    assertEquals(expected, await(tableA.lookup(members)));
    assertEquals(expected, await(tableB.lookup(Set.copyOf(members))));
  }

  @Test
  void addedEntriesCarryTheTtlBackstop() {
    String uid = uid();
    await(tableB.add(uid, "node-b", "d"));
    EntryView<Object, Object> view = ClusterSetup.hazelcast(nodeA.clusterManager()).getMap(HazelcastRoutingTable.MAP).getEntryView(uid);
    assertEquals(TimeUnit.HOURS.toMillis(HazelcastRouteOps.TTL_HOURS), view.getTtl());
  }

  @Test
  void concurrentAddsFromBothMembersAreAllKept() {
    String uid = uid();
    List<Future<Void>> adds = new ArrayList<>();
    Set<String> expectedA = new HashSet<>();
    Set<String> expectedB = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      adds.add(tableA.add(uid, "node-a", "a" + i));
      adds.add(tableB.add(uid, "node-b", "b" + i));
      expectedA.add("a" + i);
      expectedB.add("b" + i);
    }
    await(Future.all(adds));
    assertEquals(Map.of(uid, Map.of("node-a", expectedA, "node-b", expectedB)), await(tableA.lookup(List.of(uid))));
  }

  @Test
  void explicitDropNodeRemovesOnlyThatNode() {
    String both = uid();
    String onlyB = uid();
    await(tableA.add(both, "node-a", "d1"));
    await(tableA.add(both, "node-x", "d2"));
    await(tableB.add(onlyB, "node-x", "d3"));

    CompletableFuture<Set<String>> dropped = new CompletableFuture<>();
    tableB.onUsersDropped(dropped::complete);
    await(tableB.dropNode("node-x"));

    assertEquals(Map.of(both, Map.of("node-a", Set.of("d1"))), await(tableA.lookup(List.of(both, onlyB))));
    assertEquals(Set.of(both, onlyB), dropped.getNow(Set.of()), "the users who lost routes are reported");
  }

  @Test
  void routesOfAMemberThatLeavesAreDropped() {
    String alice = uid();
    String bob = uid();
    await(tableA.add(alice, "node-a", "phone"));
    await(tableB.add(alice, "node-b", "laptop"));
    await(tableB.add(bob, "node-b", "web"));

    await(tableB.close());
    cluster.stop(nodeB);

    Map<String, Map<String, Set<String>>> expected = Map.of(alice, Map.of("node-a", Set.of("phone")));
    await(Poll.until(nodeA.vertx(), () -> tableA.lookup(List.of(alice, bob)).map(expected::equals)));
    assertEquals(expected, await(tableA.lookup(List.of(alice, bob))));
  }

  @Test
  void routesOfTheOldestMemberAreDroppedWhenItLeaves() {
    String carol = uid();
    await(tableA.add(carol, "node-a", "phone"));
    await(tableB.add(carol, "node-b", "laptop"));

    await(tableA.close());
    cluster.stop(nodeA);

    Map<String, Map<String, Set<String>>> expected = Map.of(carol, Map.of("node-b", Set.of("laptop")));
    await(Poll.until(nodeB.vertx(), () -> tableB.lookup(List.of(carol)).map(expected::equals)));
  }
}
