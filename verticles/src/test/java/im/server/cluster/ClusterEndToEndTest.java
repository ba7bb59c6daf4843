package im.server.cluster;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.server.cluster.TestCluster.User;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.concurrent.TimeUnit;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several nodes in one cluster: two real {@code Main} processes and one in-process observer node. The tests
 * that kill or restart processes run last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterEndToEndTest {

  private TestCluster cluster;

  @BeforeAll
  void startCluster() throws Exception {
    long started = System.nanoTime();
    cluster = TestCluster.start(2);
    System.out.printf("cluster of 3 up in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private NodeProcess p(int i) {
    return cluster.processes.get(i - 1);
  }

  @Test
  @Order(1)
  void aMessageCrossesNodes() {
    User alice = cluster.newUser();
    User bob = cluster.newUser();
    ImClient a = cluster.connect(p(1).httpPort, alice, "phone");
    ImClient b = cluster.connect(p(2).httpPort, bob, "phone");
    String conv = Conv.p2p(alice.uid(), bob.uid());

    JsonObject ack = await(a.request(Op.SEND, TestCluster.text("x1", conv, "hello across nodes")));
    assertEquals("ack", ack.getString("t"), ack.encode());
    JsonObject msg = await(b.next(Op.MSG));
    assertEquals(ack.getLong("seq"), msg.getLong("seq"));
    assertEquals("hello across nodes", msg.getJsonObject("body").getString("text"));

    JsonObject back = await(b.request(Op.SEND, TestCluster.text("y1", conv, "hello back")));
    assertEquals(ack.getLong("seq") + 1, back.getLong("seq"));
    assertEquals(back.getString("mid"), await(a.next(Op.MSG)).getString("mid"));
    a.close();
    b.close();
  }
}
