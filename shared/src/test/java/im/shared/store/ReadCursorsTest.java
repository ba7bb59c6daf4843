package im.shared.store;

import im.protocol.ErrorCode;
import im.protocol.Op;
import im.shared.db.Database;
import im.shared.events.EventPublisher;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.testing.Seed;
import im.shared.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static im.shared.testing.Failures.assertFailsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ReadCursorsTest {

  private final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  private final Fanout recording = deliveries -> {
    delivered.addAll(deliveries);
    return Future.succeededFuture();
  };
  private Pool pool;
  private Seed seed;
  private ReadCursors cursors;

  @BeforeEach
  void setUp(Vertx vertx) {
    pool = Database.pool(vertx, TestDb.config().pg());
    seed = new Seed(pool);
    cursors = new ReadCursors(pool, recording, EventPublisher.NONE);
  }

  @AfterEach
  void tearDown() {
    pool.close().await();
  }

  private long readSeq(String conv, String uid) {
    return pool.preparedQuery("SELECT read_seq FROM members WHERE conv = $1 AND uid = $2")
        .execute(Tuple.of(conv, uid)).await().iterator().next().getLong(0);
  }

  @Test
  void advanceIsToldToEveryMemberButTheReadingConnection() {
    String alice = seed.user();
    String bob = seed.user();
    String conv = seed.p2p(alice, bob, 0);
    seed.messages(conv, bob, 1, 10, 0);

    cursors.markRead(alice, conv, 7, "conn-1").await();
    assertEquals(7, readSeq(conv, alice));
    assertEquals(1, delivered.size());
    Delivery delivery = delivered.get(0);
    assertEquals(Set.of(alice, bob), Set.copyOf(delivery.uids()));
    assertEquals(Op.READ, delivery.op());
    assertEquals("conn-1", delivery.skipConn());
    assertEquals(new JsonObject().put("conv", conv).put("uid", alice).put("seq", 7L), delivery.body());
  }

  @Test
  void cursorNeverGoesBackNorPastTheEnd() {
    String alice = seed.user();
    String bob = seed.user();
    String conv = seed.p2p(alice, bob, 0);
    seed.messages(conv, bob, 1, 10, 0);

    cursors.markRead(alice, conv, 8, null).await();
    cursors.markRead(alice, conv, 3, null).await();
    assertEquals(8, readSeq(conv, alice));
    cursors.markRead(alice, conv, 8, null).await();
    assertEquals(1, delivered.size(), "only an advance is told");

    cursors.markRead(alice, conv, 1_000, null).await();
    assertEquals(10, readSeq(conv, alice), "clamped to max_seq");
    assertEquals(10, delivered.get(1).body().getLong("seq"));
  }

  @Test
  void refusals() {
    String alice = seed.user();
    String bob = seed.user();
    String eve = seed.user();
    String conv = seed.p2p(alice, bob, 0);
    String group = seed.group("G", 0, alice);
    seed.messages(group, alice, 1, 3, 0);
    assertFailsWith(ErrorCode.BAD_REQUEST, cursors.markRead(alice, conv, -1, null));
    assertFailsWith(ErrorCode.NOT_FOUND, cursors.markRead(eve, conv, 1, null));
    assertFailsWith(ErrorCode.NOT_MEMBER, cursors.markRead(eve, group, 2, null));
    assertFailsWith(ErrorCode.NOT_FOUND, cursors.markRead(alice, "g:nothing-here", 2, null));
    assertTrue(delivered.isEmpty());
  }
}
