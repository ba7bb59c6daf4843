package im.server.api;

import im.protocol.Conv;
import im.server.user.TestUserService;
import im.protocol.Op;
import im.shared.Ids;
import im.shared.auth.JwtTokens;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.events.EventPublisher;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.store.ReadCursors;
import im.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API over real sockets and the real PostgreSQL database {@code im_test}. */
@ExtendWith(VertxExtension.class)
class ApiRouterTest {

  private static final int MEDIA_MAX = 4096;
  private static ImConfig config;

  private final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  private Pool pool;
  private HttpServer server;
  private HttpTestClient http;
  private JwtTokens tokens;

  @BeforeAll
  static void database() {
    config = ImConfig.of(new JsonObject()
        .put("pg", new JsonObject().put("url", TestDatabase.URL).put("poolSize", 4))
        .put("jwt", new JsonObject().put("secret", "api-test-secret-0123456789"))
        .put("media", new JsonObject().put("maxBytes", MEDIA_MAX))
        .put("security", new JsonObject().put("passwordIterations", 1000)));
    Database.prepare(config.pg());
  }

  @BeforeEach
  void start(Vertx vertx) {
    pool = Database.pool(vertx, config.pg());
    tokens = new JwtTokens(vertx, config.jwt());
    Fanout recording = deliveries -> {
      delivered.addAll(deliveries);
      return Future.succeededFuture();
    };
    TestUserService.deploy(vertx, pool, config.passwordIterations(), recording).await();
    Router root = Router.router(vertx);
    ApiRouter.create(vertx, config, pool, tokens, new ReadCursors(pool, recording, EventPublisher.NONE)).mount(root);
    server = vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1").await();
    http = new HttpTestClient(server.actualPort());
  }

  @AfterEach
  void stop() {
    server.close().await();
    pool.close().await();
  }

  private static String freshName() {
    return "u_" + UUID.randomUUID().toString().substring(0, 18);
  }

  private static JsonObject account(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  // ---- accounts and users

  @Test
  void registerLoginAndProfiles() {
    String name = freshName();
    HttpTestClient.Reply registered = http.post("/api/v1/auth/register", null, account(name, "password-1"));
    assertEquals(201, registered.status(), registered.body().toString());
    String uid = registered.json().getString("uid");
    assertEquals(new JsonObject().put("uid", uid).put("username", name), registered.json());

    http.post("/api/v1/auth/register", null, account(name.toUpperCase(), "password-2")).assertError(409, "conflict");
    http.post("/api/v1/auth/login", null, account(name, "wrong-password")).assertError(401, "unauthorized");
    http.post("/api/v1/auth/login", null, account(freshName(), "password-1")).assertError(401, "unauthorized");

    HttpTestClient.Reply login = http.post("/api/v1/auth/login", null, account(name.toUpperCase(), "password-1"));
    assertEquals(200, login.status(), login.body().toString());
    assertEquals(uid, login.json().getString("uid"));
    assertTrue(login.json().getLong("expiresAt") > System.currentTimeMillis());
    String token = login.json().getString("token");

    http.get("/api/v1/users/me", null).assertError(401, "unauthorized");
    http.get("/api/v1/users/me", token + "x").assertError(401, "unauthorized");
    JsonObject me = http.get("/api/v1/users/me", token).json();
    assertEquals(new JsonObject().put("uid", uid).put("username", name).put("displayName", name).putNull("avatarUrl"), me);

    HttpTestClient.Reply patched = http.patch("/api/v1/users/me", token,
        new JsonObject().put("displayName", "  Alice  ").put("avatarUrl", "/media/" + "a".repeat(64)));
    assertEquals(204, patched.status(), patched.body().toString());
    assertEquals(0, patched.body().length());
    JsonObject other = http.get("/api/v1/users/" + uid, tokens.issue(Ids.newUid()).token()).json();
    assertEquals("Alice", other.getString("displayName"));
    assertEquals("/media/" + "a".repeat(64), other.getString("avatarUrl"));
    assertEquals(204, http.patch("/api/v1/users/me", token, new JsonObject().putNull("avatarUrl")).status());
    assertEquals(null, http.get("/api/v1/users/me", token).json().getString("avatarUrl"));
    assertEquals("Alice", http.get("/api/v1/users/me", token).json().getString("displayName"));

    assertEquals(uid, http.get("/api/v1/users?username=" + name.toUpperCase(), token).json().getString("uid"));
    http.get("/api/v1/users?username=" + freshName(), token).assertError(404, "not_found");
    http.get("/api/v1/users/" + Ids.newUid(), token).assertError(404, "not_found");
    http.get("/api/v1/nothing-here", token).assertError(404, "not_found");
    http.get("/media/nothing/here", token).assertError(404, "not_found");
  }

  @Test
  void registrationInputIsValidated() {
    http.post("/api/v1/auth/register", null, account("ab", "password-1")).assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, account("bad name!", "password-1")).assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, account("x".repeat(33), "password-1")).assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, account(freshName(), "short")).assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, account(freshName(), "p".repeat(129))).assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, account(freshName(), "password-1").put("displayName", "x".repeat(65)))
        .assertError(400, "bad_request");
    http.post("/api/v1/auth/register", null, new JsonObject().put("username", 12345).put("password", "password-1"))
        .assertError(400, "bad_request");
    http.postRaw("/api/v1/auth/register", null, "{not json").assertError(400, "bad_request");
    http.postRaw("/api/v1/auth/register", null, "[1,2]").assertError(400, "bad_request");
    http.postRaw("/api/v1/auth/login", null, "").assertError(400, "bad_request");

    String name = freshName();
    HttpTestClient.Reply named = http.post("/api/v1/auth/register", null, account(name, "pässwörd-1").put("displayName", "Bob B."));
    assertEquals(201, named.status());
    String token = http.post("/api/v1/auth/login", null, account(name, "pässwörd-1")).json().getString("token");
    assertEquals("Bob B.", http.get("/api/v1/users/me", token).json().getString("displayName"));
    http.patch("/api/v1/users/me", token, new JsonObject().put("displayName", 5)).assertError(400, "bad_request");
    http.patch("/api/v1/users/me", token, new JsonObject().put("displayName", "   ")).assertError(400, "bad_request");
  }

  // ---- media

  @Test
  void mediaUploadDedupLimitsAndDownload() {
    String token = tokens.issue(Ids.newUid()).token();
    Buffer bytes = Buffer.buffer("\u0089PNG fake " + UUID.randomUUID());
    HttpTestClient.Reply uploaded = http.call(HttpMethod.POST, "/api/v1/media", token, bytes, "image/png");
    assertEquals(201, uploaded.status(), uploaded.body().toString());
    JsonObject stored = uploaded.json();
    String sha256 = stored.getString("sha256");
    assertEquals(64, sha256.length());
    assertTrue(stored.getString("url").startsWith("/media/" + sha256 + "."), stored.getString("url"));
    assertEquals(bytes.length(), stored.getLong("size"));
    assertEquals("image/png", stored.getString("mime"));

    HttpTestClient.Reply again = http.call(HttpMethod.POST, "/api/v1/media", token, bytes.copy(), "image/png");
    assertEquals(stored, again.json(), "identical bytes give the same url");
    JsonObject asHtml = http.call(HttpMethod.POST, "/api/v1/media", token, bytes.copy(), "text/html").json();
    assertNotEquals(stored.getString("url"), asHtml.getString("url"), "another type is another file");
    assertEquals("image/png", http.get(stored.getString("url"), token).header("Content-Type"));
    assertEquals("text/html", http.get(asHtml.getString("url"), token).header("Content-Type"));

    http.call(HttpMethod.POST, "/api/v1/media", token, Buffer.buffer(new byte[MEDIA_MAX + 1]), "application/octet-stream")
        .assertError(413, "too_large");
    http.call(HttpMethod.POST, "/api/v1/media", token, Buffer.buffer(), "image/png").assertError(400, "bad_request");
    http.call(HttpMethod.POST, "/api/v1/media", null, bytes, "image/png").assertError(401, "unauthorized");
    http.call(HttpMethod.POST, "/api/v1/media", token, bytes, "multipart/form-data; boundary=x").assertError(400, "bad_request");

    HttpTestClient.Reply download = http.get(stored.getString("url"), token);
    assertEquals(200, download.status());
    assertArrayEquals(bytes.getBytes(), download.body().getBytes());
    assertEquals("image/png", download.header("Content-Type"));
    assertTrue(download.header("Cache-Control").contains("immutable"));

    HttpTestClient.Reply viaQuery = http.get(stored.getString("url") + "?token=" + token, null);
    assertEquals(200, viaQuery.status());
    assertArrayEquals(bytes.getBytes(), viaQuery.body().getBytes());

    JsonObject link = http.get("/api/v1/media/" + stored.getString("url").substring("/media/".length()) + "/link", token).json();
    assertTrue(link.getLong("expiresAt") > System.currentTimeMillis(), link.encode());
    HttpTestClient.Reply viaLink = http.get(link.getString("url"), null);
    assertEquals(200, viaLink.status(), "a signed link needs no token");
    assertArrayEquals(bytes.getBytes(), viaLink.body().getBytes());
    String tampered = link.getString("url").replaceFirst("expires=\\d+", "expires=" + (link.getLong("expiresAt") + 60_000));
    http.get(tampered, null).assertError(401, "unauthorized");
    http.get(asHtml.getString("url") + link.getString("url").substring(link.getString("url").indexOf('?')), null)
        .assertError(401, "unauthorized");
    http.get(stored.getString("url") + "?expires=1&sig=00", null).assertError(401, "unauthorized");
    http.get(stored.getString("url"), null).assertError(401, "unauthorized");
    http.get(stored.getString("url") + "?token=nope", null).assertError(401, "unauthorized");
    http.get("/media/" + "0".repeat(64), token).assertError(404, "not_found");
    http.get("/media/not-a-hash", token).assertError(404, "not_found");
    http.get("/api/v1/users/me?token=" + token, null).assertError(401, "unauthorized");
  }

  // ---- conversations, history, sync, read

  private String seedUser() {
    String uid = Ids.newUid();
    String name = freshName();
    pool.preparedQuery("INSERT INTO users (uid, username, username_key, password_hash, display_name, created_at)"
        + " VALUES ($1, $2, $2, 'x', $3, 0)").execute(Tuple.of(uid, name, "Peer " + name)).await();
    return uid;
  }

  private String seedP2p(String a, String b, int count) {
    String conv = Conv.p2p(a, b);
    pool.preparedQuery("INSERT INTO conversations (conv, type, created_at) VALUES ($1, 'p2p', 1)").execute(Tuple.of(conv)).await();
    pool.preparedQuery("INSERT INTO members (conv, uid) VALUES ($1, $2), ($1, $3)").execute(Tuple.of(conv, a, b)).await();
    for (long seq = 1; seq <= count; seq++) {
      String sender = seq % 2 == 0 ? a : b;
      pool.preparedQuery("INSERT INTO messages (conv, seq, mid, sender, device, cmid, kind, body, ts)"
              + " VALUES ($1, $2, $3, $4, 'web-1', $5, 'text', $6, $7)")
          .execute(Tuple.of(conv, seq, Ids.newMid(seq), sender, "c" + seq + Ids.newId(), new JsonObject().put("text", "hi " + seq), 1000 + seq))
          .await();
    }
    pool.preparedQuery("UPDATE conversations SET max_seq = $2, last_ts = $3 WHERE conv = $1")
        .execute(Tuple.of(conv, (long) count, 1000L + count)).await();
    return conv;
  }

  private static List<Long> seqs(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getLong("seq")).collect(Collectors.toList());
  }

  @Test
  void historySyncListAndRead() {
    String alice = seedUser();
    String bob = seedUser();
    String eve = seedUser();
    String conv = seedP2p(alice, bob, 25);
    String aliceToken = tokens.issue(alice).token();
    String eveToken = tokens.issue(eve).token();

    JsonObject page = http.get("/api/v1/conversations/" + conv + "/messages", aliceToken).json();
    assertEquals(java.util.stream.LongStream.rangeClosed(6, 25).boxed().collect(Collectors.toList()), seqs(page.getJsonArray("messages")));
    assertTrue(page.getBoolean("hasMore"));
    JsonObject first = page.getJsonArray("messages").getJsonObject(0);
    assertEquals(new JsonObject().put("conv", conv).put("seq", 6L).put("mid", first.getString("mid")).put("from", alice)
        .put("device", "web-1").put("cmid", first.getString("cmid")).put("kind", "text")
        .put("body", new JsonObject().put("text", "hi 6")).put("ts", 1006L).put("replyCount", 0).put("lastReplyTs", null),
        first);
    JsonObject older = http.get("/api/v1/conversations/" + conv + "/messages?before=6&limit=3", aliceToken).json();
    assertEquals(List.of(3L, 4L, 5L), seqs(older.getJsonArray("messages")));
    assertTrue(older.getBoolean("hasMore"));
    JsonObject newer = http.get("/api/v1/conversations/" + conv + "/messages?after=23&limit=500", aliceToken).json();
    assertEquals(List.of(24L, 25L), seqs(newer.getJsonArray("messages")));
    assertFalse(newer.getBoolean("hasMore"));
    http.get("/api/v1/conversations/" + conv + "/messages?limit=abc", aliceToken).assertError(400, "bad_request");
    http.get("/api/v1/conversations/" + conv + "/messages?before=-1", aliceToken).assertError(400, "bad_request");
    http.get("/api/v1/conversations/" + conv + "/messages", eveToken).assertError(404, "not_found");

    JsonObject sync = http.post("/api/v1/sync", aliceToken,
        new JsonObject().put("convs", new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 20))).put("limit", 2)).json();
    JsonObject synced = sync.getJsonArray("convs").getJsonObject(0);
    assertEquals(conv, synced.getString("conv"));
    assertEquals(List.of(24L, 25L), seqs(synced.getJsonArray("messages")));
    assertEquals(3, synced.getLong("missing"));
    assertEquals(25, synced.getLong("maxSeq"));
    assertEquals(0, synced.getLong("readSeq"));
    assertEquals(13, synced.getLong("unread"), "bob sent the odd seqs");
    JsonObject all = http.post("/api/v1/sync", aliceToken, new JsonObject().put("all", true)).json();
    assertEquals(1, all.getJsonArray("convs").size());
    assertEquals(5, all.getJsonArray("convs").getJsonObject(0).getLong("missing"));
    http.post("/api/v1/sync", eveToken, new JsonObject().put("convs",
        new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 0)))).assertError(404, "not_found");
    http.post("/api/v1/sync", aliceToken, new JsonObject().put("convs", "nope")).assertError(400, "bad_request");
    http.post("/api/v1/sync", aliceToken, new JsonObject().put("all", "yes")).assertError(400, "bad_request");
    http.post("/api/v1/sync", aliceToken, new JsonObject().put("convs",
        new JsonArray().add(new JsonObject().put("conv", conv).put("seq", 1.5)))).assertError(400, "bad_request");

    HttpTestClient.Reply read = http.post("/api/v1/conversations/" + conv + "/read", aliceToken, new JsonObject().put("seq", 21));
    assertEquals(204, read.status(), read.body().toString());
    assertEquals(1, delivered.size());
    assertEquals(Op.READ, delivered.get(0).op());
    assertEquals(new JsonObject().put("conv", conv).put("uid", alice).put("seq", 21L), delivered.get(0).body());
    http.post("/api/v1/conversations/" + conv + "/read", aliceToken, new JsonObject().put("seq", "x")).assertError(400, "bad_request");
    http.post("/api/v1/conversations/" + conv + "/read", aliceToken, new JsonObject().put("seq", -1)).assertError(400, "bad_request");
    http.post("/api/v1/conversations/" + conv + "/read", eveToken, new JsonObject().put("seq", 1)).assertError(404, "not_found");

    JsonArray list = http.get("/api/v1/conversations", aliceToken).json().getJsonArray("conversations");
    assertEquals(1, list.size());
    JsonObject item = list.getJsonObject(0);
    assertEquals(conv, item.getString("conv"));
    assertEquals("p2p", item.getString("type"));
    assertEquals(bob, item.getString("peer"));
    assertNotNull(item.getString("name"));
    assertEquals(25, item.getLong("maxSeq"));
    assertEquals(21, item.getLong("readSeq"));
    assertEquals(2, item.getLong("unread"), "bob's 23 and 25");
    assertEquals(25, item.getJsonObject("lastMessage").getLong("seq"));
    assertEquals(1025, item.getLong("updatedAt"));
    assertTrue(http.get("/api/v1/conversations", eveToken).json().getJsonArray("conversations").isEmpty());
  }
}
