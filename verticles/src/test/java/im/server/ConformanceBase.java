package im.server;

import im.protocol.client.HttpResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.HashSet;
import java.util.Set;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Black-box conformance with the letter of the protocol (docs/protocol.md), as a client author who has read only that
 * page would check it: exact field sets of every frame and reply, statuses and error bodies. Behaviour already pinned
 * by the other end-to-end tests is not repeated here. {@link RealtimeConformanceTest} checks the frames,
 * {@link HttpConformanceTest} the HTTP API; both run against a node started here with small limits.
 */
abstract class ConformanceBase {

  static final long AUTH_TIMEOUT_MS = 1500;
  static final int SEND_BURST = 5;
  static final int MEDIA_MAX_BYTES = 1024;
  static final long RECALL_WINDOW_MS = 1000;

  static TestNode node;

  @BeforeAll
  static void startNode() {
    node = TestNode.start(new JsonObject()
        .put("realtime", new JsonObject().put("authTimeoutMs", AUTH_TIMEOUT_MS).put("sendsPerSecond", 2).put("sendBurst", SEND_BURST))
        .put("presence", new JsonObject().put("minIntervalMs", 10))
        .put("messages", new JsonObject().put("recallWindowMs", RECALL_WINDOW_MS))
        .put("media", new JsonObject().put("maxBytes", MEDIA_MAX_BYTES)));
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  /** The field names of a frame, without the op name {@code "t"}. */
  static Set<String> fields(JsonObject frame) {
    Set<String> names = new HashSet<>(frame.fieldNames());
    names.remove("t");
    return names;
  }

  static void assertFields(JsonObject frame, String... expected) {
    assertEquals(Set.of(expected), fields(frame), "fields of " + frame.encode());
  }

  static JsonObject text(String cmid, String field, String target, String text) {
    return new JsonObject().put("cmid", cmid).put(field, target).put("kind", "text").put("body", new JsonObject().put("text", text));
  }

  /** Asserts a docs/protocol.md §4 error reply: this status, and a body of exactly {@code {"error":{"code","message"}}}. */
  static void assertHttpError(HttpResult result, int status, String code) {
    assertEquals(status, result.status(), "status of " + result.raw());
    assertTrue(result.contentType() != null && result.contentType().startsWith("application/json"), "content type " + result.contentType());
    JsonObject body = result.json();
    assertEquals(Set.of("error"), body.fieldNames(), body.encode());
    JsonObject error = body.getJsonObject("error");
    assertEquals(Set.of("code", "message"), error.fieldNames(), body.encode());
    assertEquals(code, error.getString("code"));
    assertInstanceOf(String.class, error.getValue("message"));
  }

  static void assertNoContent(HttpResult result) {
    assertEquals(204, result.status(), "status of " + result.raw());
    assertTrue(result.raw() == null || result.raw().length() == 0, "204 has no body");
  }

  static Buffer tcpFrame(long length, int op, int version, byte[] body) {
    Buffer frame = Buffer.buffer().appendUnsignedInt(length).appendUnsignedShort(op).appendUnsignedByte((short) version).appendByte((byte) 0);
    return frame.appendBytes(body);
  }

  static void befriend(TestNode.User a, TestNode.User b) {
    String requestId = await(node.http().post("/api/v1/friends/requests", a.token(), new JsonObject().put("to", b.uid()))).json().getString("requestId");
    assertEquals(200, await(node.http().post("/api/v1/friends/requests/" + requestId + "/accept", b.token(), null)).status());
  }
}
