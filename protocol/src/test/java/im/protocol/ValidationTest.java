package im.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValidationTest {

  static void assertBadRequest(String fieldNamed, Executable check) {
    ImException e = assertThrows(ImException.class, check);
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains(fieldNamed), () -> "message should name " + fieldNamed + ": " + e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "Alice_01", "a.b-c", "abcdefghijklmnopqrstuvwxyz012345"})
  void acceptsUsernames(String name) {
    assertEquals(name, Validation.username(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "ab", "has space", "ümlaut", "a:b", "abcdefghijklmnopqrstuvwxyz0123456"})
  void refusesUsernames(String name) {
    assertBadRequest("username", () -> Validation.username(name));
  }

  @Test
  void usernameIsRequired() {
    assertBadRequest("username", () -> Validation.username(null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"d", "phone:1", "web-tab_2.x", "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"})
  void acceptsDevices(String device) {
    assertEquals(device, Validation.device(device));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "a/b", "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"})
  void refusesDevices(String device) {
    assertBadRequest("device", () -> Validation.device(device));
  }

  @Test
  void cmidCountsCodePoints() {
    assertEquals("😀".repeat(64), Validation.cmid("😀".repeat(64)));
    assertBadRequest("cmid", () -> Validation.cmid("😀".repeat(65)));
    assertBadRequest("cmid", () -> Validation.cmid(""));
    assertBadRequest("cmid", () -> Validation.cmid(null));
    assertBadRequest("cmid", () -> Validation.cmid("a\u0000b"));
    assertBadRequest("cmid", () -> Validation.cmid("a\ud800"));
  }

  @Test
  void platformIsOptionalButFromTheList() {
    assertNull(Validation.platform(null));
    for (String p : new String[] {"web", "ios", "android", "desktop", "other"}) {
      assertEquals(p, Validation.platform(p));
    }
    assertBadRequest("platform", () -> Validation.platform("WEB"));
    assertBadRequest("platform", () -> Validation.platform(""));
  }

  @Test
  void requireString() {
    JsonObject body = new JsonObject().put("conv", "g:1").put("n", 3).put("e", "").putNull("z");
    assertEquals("g:1", Validation.requireString(body, "conv"));
    assertBadRequest("n", () -> Validation.requireString(body, "n"));
    assertBadRequest("e", () -> Validation.requireString(body, "e"));
    assertBadRequest("z", () -> Validation.requireString(body, "z"));
    assertBadRequest("missing", () -> Validation.requireString(body, "missing"));
    assertBadRequest("body", () -> Validation.requireString(null, "conv"));
  }

  @Test
  void optionalString() {
    JsonObject body = new JsonObject().put("a", "x").put("e", "").putNull("z").put("n", true);
    assertEquals("x", Validation.optionalString(body, "a"));
    assertEquals("", Validation.optionalString(body, "e"));
    assertNull(Validation.optionalString(body, "z"));
    assertNull(Validation.optionalString(body, "missing"));
    assertBadRequest("n", () -> Validation.optionalString(body, "n"));
  }

  @Test
  void requireSeqAcceptsWholeJsonNumbers() {
    JsonObject body = new JsonObject("{\"a\":0,\"b\":9007199254740993,\"c\":12.0,\"d\":1e3}");
    assertEquals(0, Validation.requireSeq(body, "a"));
    assertEquals(9007199254740993L, Validation.requireSeq(body, "b"));
    assertEquals(12, Validation.requireSeq(body, "c"));
    assertEquals(1000, Validation.requireSeq(body, "d"));
  }

  @Test
  void requireSeqRefusesEverythingElse() {
    JsonObject body = new JsonObject(
        "{\"s\":\"5\",\"neg\":-1,\"frac\":1.5,\"huge\":99999999999999999999,\"b\":true,\"o\":{},\"nul\":null}");
    for (String field : new String[] {"s", "neg", "frac", "huge", "b", "o", "nul", "missing"}) {
      assertBadRequest(field, () -> Validation.requireSeq(body, field));
    }
  }

  @Test
  void optionalLongWithBounds() {
    JsonObject body = new JsonObject().put("limit", 50).put("big", 101);
    assertEquals(50L, Validation.optionalLong(body, "limit", 1, 100));
    assertNull(Validation.optionalLong(body, "missing", 1, 100));
    assertBadRequest("big", () -> Validation.optionalLong(body, "big", 1, 100));
    assertBadRequest("from 1 to 100", () -> Validation.requireLong(body, "big", 1, 100));
  }

  @Test
  void requestIdIsAStringOrANumber() {
    assertEquals("r1", Validation.requestId(new JsonObject().put("id", "r1")));
    assertEquals(7, Validation.requestId(new JsonObject().put("id", 7)));
    assertNull(Validation.requestId(new JsonObject()));
    assertBadRequest("id", () -> Validation.requestId(new JsonObject().put("id", new JsonArray())));
    assertBadRequest("id", () -> Validation.requestId(new JsonObject().put("id", false)));
  }

  @Test
  void storableJsonLooksEverywhere() {
    Validation.storableJson("body", new JsonObject("{\"a\":[\"ok 😀\",{\"b\":\"fine\"}]}"));
    assertBadRequest("body", () -> Validation.storableJson("body", new JsonObject("{\"a\":[1,{\"b\":\"x\\u0000\"}]}")));
    assertBadRequest("body", () -> Validation.storableJson("body", new JsonObject("{\"k\\u0000\":1}")));
    assertBadRequest("body", () -> Validation.storableJson("body", new JsonObject("{\"a\":\"\\udc00x\"}")));
  }
}
