package im.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ImHttpTest {

  private ImHttp http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    HttpServer server = await(vertx.createHttpServer().requestHandler(ImHttpTest::handle).listen(0, "127.0.0.1"));
    http = new ImHttp(vertx, "127.0.0.1", server.actualPort());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(15, TimeUnit.SECONDS);
  }

  /** Register refuses "taken"; login accepts password "pw"; anything else echoes the request. */
  private static void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String path = request.path();
      JsonObject reply;
      int status;
      if (path.equals("/api/v1/auth/register")) {
        String username = body.toJsonObject().getString("username");
        status = username.equals("taken") ? 409 : 201;
        reply = status == 201
            ? new JsonObject().put("uid", "u-" + username).put("username", username)
            : new JsonObject().put("error", new JsonObject().put("code", "conflict").put("message", "taken"));
      } else if (path.equals("/api/v1/auth/login")) {
        status = "pw".equals(body.toJsonObject().getString("password")) ? 200 : 401;
        reply = status == 200
            ? new JsonObject().put("token", "tok").put("uid", "u1").put("expiresAt", 1)
            : new JsonObject().put("error", new JsonObject().put("code", "unauthorized").put("message", "no"));
      } else if (path.equals("/empty")) {
        request.response().setStatusCode(204).end();
        return;
      } else {
        status = 200;
        reply = new JsonObject()
            .put("method", request.method().name())
            .put("auth", request.getHeader("Authorization"))
            .put("contentType", request.getHeader("Content-Type"))
            .put("size", body.length());
      }
      request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(reply.encode());
    });
  }

  @Test
  void registerAndLogin() throws Exception {
    assertEquals("u-alice", await(http.register("alice", "pw")).getString("uid"));
    assertEquals("tok", await(http.login("alice", "pw")).getString("token"));
  }

  @Test
  void unexpectedStatusFailsWithTheErrorCode() {
    ImException taken = assertThrows(ImException.class, () -> await(http.register("taken", "pw")));
    assertEquals(ErrorCode.CONFLICT, taken.code());
    ImException wrong = assertThrows(ImException.class, () -> await(http.login("alice", "nope")));
    assertEquals(ErrorCode.UNAUTHORIZED, wrong.code());
  }

  @Test
  void verbsTokensAndBodies() throws Exception {
    HttpResult get = await(http.get("/x", "t1"));
    assertEquals(200, get.status());
    assertEquals("application/json", get.contentType());
    assertEquals(new JsonObject().put("method", "GET").put("auth", "Bearer t1").putNull("contentType").put("size", 0),
        get.json());
    assertNull(get.errorCode());

    JsonObject patch = await(http.patch("/x", null, new JsonObject().put("a", 1))).json();
    assertEquals("PATCH", patch.getString("method"));
    assertNull(patch.getString("auth"));
    assertEquals("application/json", patch.getString("contentType"));

    assertEquals("PUT", await(http.put("/x", "t", null)).json().getString("method"));
    assertEquals("DELETE", await(http.delete("/x", "t")).json().getString("method"));

    JsonObject upload = await(http.postBytes("/media", "t", Buffer.buffer(new byte[1000]), "image/png")).json();
    assertEquals("image/png", upload.getString("contentType"));
    assertEquals(1000, upload.getInteger("size"));

    HttpResult empty = await(http.post("/empty", "t", new JsonObject()));
    assertEquals(204, empty.status());
    assertNull(empty.json());
  }
}
