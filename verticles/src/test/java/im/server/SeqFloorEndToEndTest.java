package im.server;

import im.testing.TestDatabase;
import im.protocol.Op;
import im.protocol.client.ImClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;


import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redis keeps nothing durable: after FLUSHALL, with or without a restart, new seqs stay above every stored one. */
class SeqFloorEndToEndTest {


  private static long sendText(ImClient client, String cmid, String to) {
    JsonObject ack = await(client.request(Op.SEND, new JsonObject()
        .put("cmid", cmid).put("to", to).put("kind", "text").put("body", new JsonObject().put("text", cmid))));
    if (!"ack".equals(ack.getString("t"))) {
      throw new AssertionError("expected an ack, got " + ack);
    }
    return ack.getLong("seq");
  }

  private static void flushRedis() {
    Vertx vertx = Vertx.vertx();
    try {
      await(Redis.createClient(vertx, TestDatabase.REDIS_URL).send(Request.cmd(Command.FLUSHALL)));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void seqsStayAboveEveryStoredSeqAfterFlushallAndRestart() {
    TestNode.User alice;
    TestNode.User bob;
    long beforeFlush = 0;
    try (TestNode first = TestNode.start()) {
      alice = await(first.newUser());
      bob = await(first.newUser());
      ImClient client = await(first.connect("tcp", alice, "phone"));
      for (int i = 0; i < 5; i++) {
        beforeFlush = sendText(client, "before-" + i, bob.uid());
      }
      flushRedis();
      long whileRunning = sendText(client, "while-running", bob.uid());
      assertTrue(whileRunning > beforeFlush, "after FLUSHALL: " + whileRunning + " > " + beforeFlush);
      beforeFlush = whileRunning;
      client.close();
    }
    flushRedis();
    try (TestNode restarted = TestNode.start()) {
      ImClient client = await(restarted.connect("ws", alice, "phone"));
      long afterRestart = sendText(client, "after-restart", bob.uid());
      assertTrue(afterRestart > beforeFlush, "after FLUSHALL and restart: " + afterRestart + " > " + beforeFlush);
      client.close();
    }
  }
}
