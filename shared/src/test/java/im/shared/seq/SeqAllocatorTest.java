package im.shared.seq;

import im.testing.TestDatabase;
import im.shared.Ids;
import im.shared.seq.SeqAllocator.Allocation;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(VertxExtension.class)
class SeqAllocatorTest {

  private static final String REDIS = TestDatabase.REDIS_URL;

  @Test
  void allocatesBlocksPerConversationInOneRoundTrip(Vertx vertx, VertxTestContext test) {
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    String a = "p:" + Ids.newId() + ":z";
    String b = "p:" + Ids.newId() + ":z";
    seqs.allocate(List.of(new Allocation(a, 3, 0), new Allocation(b, 1, 0)))
        .compose(first -> {
          test.verify(() -> assertArrayEquals(new long[] {3, 1}, first));
          return seqs.allocate(List.of(new Allocation(a, 2, 0)));
        })
        .onComplete(test.succeeding(second -> test.verify(() -> {
          assertArrayEquals(new long[] {5}, second);
          test.completeNow();
        })));
  }

  @Test
  void aLostCounterIsReseededAboveTheDurableFloor(Vertx vertx, VertxTestContext test) {
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    Redis redis = Redis.createClient(vertx, REDIS);
    String conv = "p:" + Ids.newId() + ":z";
    seqs.allocate(List.of(new Allocation(conv, 10, 0)))
        .compose(first -> redis.send(Request.cmd(Command.DEL).arg(SeqAllocator.key(conv))))
        .compose(deleted -> seqs.allocate(List.of(new Allocation(conv, 1, 10))))
        .onComplete(test.succeeding(afterLoss -> test.verify(() -> {
          assertEquals(11, afterLoss[0], "the first seq after losing the counter is above the floor");
          test.completeNow();
        })));
  }

  @Test
  void aCounterAheadOfTheFloorIsNeverLowered(Vertx vertx, VertxTestContext test) {
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    String conv = "p:" + Ids.newId() + ":z";
    seqs.allocate(List.of(new Allocation(conv, 50, 0)))
        .compose(first -> seqs.allocate(List.of(new Allocation(conv, 1, 7))))
        .onComplete(test.succeeding(next -> test.verify(() -> {
          assertEquals(51, next[0]);
          test.completeNow();
        })));
  }

  @Test
  void survivesTheScriptCacheBeingFlushed(Vertx vertx, VertxTestContext test) {
    SeqAllocator seqs = new SeqAllocator(vertx, REDIS);
    Redis redis = Redis.createClient(vertx, REDIS);
    String conv = "p:" + Ids.newId() + ":z";
    seqs.allocate(List.of(new Allocation(conv, 1, 0)))
        .compose(first -> redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")))
        .compose(flushed -> seqs.allocate(List.of(new Allocation(conv, 1, 0))))
        .onComplete(test.succeeding(next -> test.verify(() -> {
          assertEquals(2, next[0]);
          test.completeNow();
        })));
  }
}
