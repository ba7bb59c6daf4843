package im.server.user;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.server.api.ApiRouter;
import im.shared.auth.JwtTokens;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.user.Profile;
import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.shared.events.EventPublisher;
import im.shared.routes.Fanout;
import im.shared.store.ReadCursors;
import im.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The user service's event-bus API, against the real PostgreSQL, and that HTTP answers what the bus answers. */
@ExtendWith(VertxExtension.class)
class UserVerticleTest {

  private static ImConfig config;

  private Pool pool;
  private HttpServer server;
  private JwtTokens tokens;
  private UserClient users;

  @BeforeAll
  static void database() {
    config = ImConfig.of(new JsonObject()
        .put("pg", new JsonObject().put("url", TestDatabase.URL).put("poolSize", 2))
        .put("jwt", new JsonObject().put("secret", "user-test-secret-0123456789"))
        .put("security", new JsonObject().put("passwordIterations", 1000)));
    Database.prepare(config.pg());
  }

  @BeforeEach
  void start(Vertx vertx) {
    pool = Database.pool(vertx, config.pg());
    tokens = new JwtTokens(vertx, config.jwt());
    Fanout nowhere = deliveries -> Future.succeededFuture();
    TestUserService.deploy(vertx, pool, config.passwordIterations(), nowhere).await();
    Router root = Router.router(vertx);
    ApiRouter.create(vertx, config, pool, tokens, new ReadCursors(pool, nowhere, EventPublisher.NONE)).mount(root);
    server = vertx.createHttpServer().requestHandler(root).listen(0, "127.0.0.1").await();
    users = new UserClient(vertx);
  }

  @AfterEach
  void stop() {
    server.close().await();
    pool.close().await();
  }

  @Test
  void malformedCommandsAreBadRequests(Vertx vertx) {
    assertEquals(ErrorCode.BAD_REQUEST, failureOf(vertx, new JsonObject().put("op", "no-such-command")).code());
    assertEquals(ErrorCode.BAD_REQUEST, failureOf(vertx, new JsonObject()).code());
    assertEquals(ErrorCode.BAD_REQUEST, failureOf(vertx, new JsonObject().put("op", 7)).code());
    assertEquals(ErrorCode.BAD_REQUEST, failureOf(vertx, new JsonObject().put("op", "profile")).code());
    assertEquals(ErrorCode.BAD_REQUEST, failureOf(vertx, new JsonObject().put("op", "profile").put("uid", 42)).code());
    assertEquals(ErrorCode.BAD_REQUEST,
        failureOf(vertx, new JsonObject().put("op", "updateProfile").put("uid", "u").put("setAvatar", "yes")).code());
  }

  @Test
  void theServiceEnforcesTheAccountRulesForEveryClient() {
    ImException shortPassword = assertThrows(ImException.class, () -> users.register(freshName(), "short", null).await());
    assertEquals(ErrorCode.BAD_REQUEST, shortPassword.code());
    Profile alice = users.register(freshName(), "password-1", null).await();
    ImException wrong = assertThrows(ImException.class, () -> users.login(alice.username(), "password-2").await());
    assertEquals(ErrorCode.UNAUTHORIZED, wrong.code());
    assertEquals(alice, users.login(alice.username().toUpperCase(), "password-1").await().profile());
    ImException blank = assertThrows(ImException.class,
        () -> users.updateProfile(alice.uid(), "   ", false, null).await());
    assertEquals(ErrorCode.BAD_REQUEST, blank.code());
  }

  @Test
  void theBusAnswersWhatHttpServes() throws Exception {
    Profile registered = users.register(freshName(), "password-1", "  Alice  ").await();
    assertEquals("Alice", registered.displayName());
    String token = tokens.issue(registered.uid()).token();

    Profile overBus = users.profile(registered.uid()).await();
    assertEquals(overBus.toJson(), get("/api/v1/users/" + registered.uid(), token).body());
    assertEquals(overBus, users.profileByUsername(registered.username().toUpperCase()).await());

    ImException missing = assertThrows(ImException.class, () -> users.profile("u_nobody").await());
    Reply http = get("/api/v1/users/u_nobody", token);
    assertEquals(missing.code().httpStatus(), http.status());
    assertEquals(missing.toJson(), http.body().getJsonObject("error"));

    assertEquals(users.blocks(registered.uid()).await().toJson(), get("/api/v1/blocks", token).body());
    assertEquals(users.friends(registered.uid()).await().toJson(), get("/api/v1/friends", token).body());
  }

  private static ImException failureOf(Vertx vertx, JsonObject command) {
    Throwable failure = assertThrows(Throwable.class,
        () -> vertx.eventBus().request(Addresses.USER, command).await());
    return BusErrors.toImException(failure);
  }

  private record Reply(int status, JsonObject body) {}

  private Reply get(String path, String token) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .header("Authorization", "Bearer " + token).GET().build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), new JsonObject(response.body()));
  }

  private static String freshName() {
    return "u_" + UUID.randomUUID().toString().substring(0, 18);
  }
}
