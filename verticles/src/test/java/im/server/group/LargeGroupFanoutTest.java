package im.server.group;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.server.TestNode;
import im.shared.Ids;
import im.shared.auth.JwtTokens;
import im.shared.db.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A message to a group of the default maximum size reaches every online member, over both transports. */
class LargeGroupFanoutTest {

  private static final int MEMBERS = 2000;
  private static final int ONLINE = 200;

  /** The group_created message may reach a client that connected while it was fanned out: skip it. */
  private static Future<JsonObject> messageWithSeq(ImClient client, long seq) {
    return client.next(Op.MSG).compose(msg -> msg.getLong("seq") == seq ? Future.succeededFuture(msg) : messageWithSeq(client, seq));
  }

  @Test
  void aMessageToTwoThousandMembersReachesAllTwoHundredOnline() {
    try (TestNode node = TestNode.start()) {
      Pool pool = Database.pool(node.clientVertx(), node.config().pg());
      List<String> uids = new ArrayList<>(MEMBERS);
      for (int i = 0; i < MEMBERS; i++) {
        uids.add(Ids.newUid());
      }
      String[] names = uids.stream().map(uid -> "bulk_" + uid.toLowerCase().replace('-', '_')).toArray(String[]::new);
      await(pool.preparedQuery("INSERT INTO users (uid, username, username_key, password_hash, display_name, created_at)"
              + " SELECT u, n, n || '_' || u, 'x', n, 0 FROM unnest($1::text[], $2::text[]) AS t(u, n)")
          .execute(Tuple.tuple().addValue(uids.toArray(new String[0])).addValue(names)));
      JwtTokens tokens = new JwtTokens(node.clientVertx(), node.config().jwt());

      String owner = uids.get(0);
      JsonArray members = new JsonArray(new ArrayList<>(uids.subList(1, MEMBERS)));
      HttpResult created = await(node.http().post("/api/v1/groups", tokens.issue(owner).token(),
          new JsonObject().put("name", "everyone").put("members", members)));
      assertEquals(201, created.status(), created.raw().toString());
      String conv = created.json().getString("conv");

      List<Future<ImClient>> connecting = new ArrayList<>();
      for (int i = 1; i <= ONLINE; i++) {
        String uid = uids.get(MEMBERS - i);
        Future<ImClient> client = i % 2 == 0 ? node.ws() : node.tcp();
        connecting.add(client.compose(c -> c.auth(tokens.issue(uid).token(), "d").map(ok -> c)));
      }
      List<ImClient> online = await(Future.all(connecting)).list();
      ImClient sender = await(node.connect("ws", new TestNode.User(owner, "owner", tokens.issue(owner).token()), "s"));

      JsonObject ack = await(sender.request(Op.SEND, GroupsEndToEndTest.text(conv, "all", "hello everyone")));
      assertEquals("ack", ack.getString("t"), ack.encode());
      AtomicInteger reached = new AtomicInteger();
      List<Future<JsonObject>> received = new ArrayList<>();
      for (ImClient client : online) {
        received.add(messageWithSeq(client, ack.getLong("seq")).onSuccess(msg -> reached.incrementAndGet()));
      }
      await(Future.all(received));
      assertEquals(ONLINE, reached.get());
      online.forEach(ImClient::close);
      sender.close();
      await(pool.close());
    }
  }
}
