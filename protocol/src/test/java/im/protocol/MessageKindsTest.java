package im.protocol;

import static im.protocol.ValidationTest.assertBadRequest;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageKindsTest {

  private static void ok(String kind, String json) {
    assertDoesNotThrow(() -> MessageKinds.validate(kind, new JsonObject(json)), kind + " " + json);
  }

  private static void bad(String kind, String json, String named) {
    assertBadRequest(named, () -> MessageKinds.validate(kind, new JsonObject(json)));
  }

  @Test
  void text() {
    ok("text", "{\"text\":\"hi\"}");
    ok("text", "{\"text\":\" \"}");
    ok("text", "{\"text\":\"hi\",\"mentions\":[\"u1\"]}");
    assertDoesNotThrow(() -> MessageKinds.validate("text", new JsonObject().put("text", "😀".repeat(4000))));
    assertBadRequest("body.text", () -> MessageKinds.validate("text", new JsonObject().put("text", "a".repeat(4001))));
    bad("text", "{\"text\":\"\"}", "body.text");
    bad("text", "{}", "body.text");
    bad("text", "{\"text\":5}", "body.text");
    bad("text", "{\"text\":\"a\\u0000b\"}", "U+0000");
  }

  @Test
  void image() {
    ok("image", "{\"url\":\"/media/x\",\"mime\":\"image/png\",\"size\":10}");
    ok("image", "{\"url\":\"/media/x\",\"mime\":\"image/png\",\"size\":0,\"width\":1,\"height\":2,\"thumbUrl\":\"/m/t\"}");
    ok("image", "{\"url\":\"/media/x\",\"mime\":\"image/png\",\"size\":10,\"width\":null}");
    bad("image", "{\"mime\":\"image/png\",\"size\":10}", "body.url");
    bad("image", "{\"url\":\"u\",\"mime\":\"\",\"size\":10}", "body.mime");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":\"10\"}", "body.size");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":-1}", "body.size");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":1.5}", "body.size");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":1,\"width\":0}", "body.width");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":1,\"height\":\"5\"}", "body.height");
    bad("image", "{\"url\":\"u\",\"mime\":\"m\",\"size\":1,\"thumbUrl\":3}", "body.thumbUrl");
  }

  @Test
  void file() {
    ok("file", "{\"url\":\"u\",\"mime\":\"application/pdf\",\"size\":5,\"name\":\"a.pdf\"}");
    bad("file", "{\"url\":\"u\",\"mime\":\"application/pdf\",\"size\":5}", "body.name");
    bad("file", "{\"url\":\"u\",\"mime\":\"application/pdf\",\"name\":\"a\"}", "body.size");
  }

  @Test
  void audio() {
    ok("audio", "{\"url\":\"u\",\"mime\":\"audio/ogg\",\"size\":5,\"durationMs\":0}");
    bad("audio", "{\"url\":\"u\",\"mime\":\"audio/ogg\",\"size\":5}", "body.durationMs");
    bad("audio", "{\"url\":\"u\",\"mime\":\"audio/ogg\",\"size\":5,\"durationMs\":\"3\"}", "body.durationMs");
  }

  @Test
  void video() {
    ok("video", "{\"url\":\"u\",\"mime\":\"video/mp4\",\"size\":5,\"durationMs\":100,\"width\":640,\"height\":480,"
        + "\"thumbUrl\":\"t\"}");
    ok("video", "{\"url\":\"u\",\"mime\":\"video/mp4\",\"size\":5,\"durationMs\":100}");
    bad("video", "{\"url\":\"u\",\"mime\":\"video/mp4\",\"size\":5}", "body.durationMs");
    bad("video", "{\"url\":\"u\",\"mime\":\"video/mp4\",\"size\":5,\"durationMs\":1,\"width\":-3}", "body.width");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"lat\":0,\"lng\":0}|",
      "{\"lat\":-90,\"lng\":180,\"name\":\"Pole\"}|",
      "{\"lat\":48.85,\"lng\":-2.35}|",
      "{\"lat\":90.01,\"lng\":0}|body.lat",
      "{\"lat\":0,\"lng\":-180.5}|body.lng",
      "{\"lat\":\"1\",\"lng\":0}|body.lat",
      "{\"lng\":0}|body.lat",
      "{\"lat\":0}|body.lng",
      "{\"lat\":0,\"lng\":0,\"name\":\"\"}|body.name"})
  void location(String json, String named) {
    if (named == null) {
      ok("location", json);
    } else {
      bad("location", json, named);
    }
  }

  @Test
  void custom() {
    ok("custom", "{\"type\":\"card\",\"data\":{\"x\":[1,2]}}");
    ok("custom", "{\"type\":\"card\",\"data\":null}");
    ok("custom", "{\"type\":\"poll\",\"data\":\"text\"}");
    bad("custom", "{\"type\":\"card\"}", "body.data");
    bad("custom", "{\"type\":\"\",\"data\":1}", "body.type");
    bad("custom", "{\"data\":1}", "body.type");
    bad("custom", "{\"type\":\"card\",\"data\":{\"deep\":[\"\\u0000\"]}}", "U+0000");
  }

  @Test
  void systemAndUnknownKindsAreRefused() {
    bad("system", "{\"event\":\"member_added\"}", "system");
    bad("sticker", "{}", "sticker");
    bad("TEXT", "{\"text\":\"hi\"}", "TEXT");
    assertBadRequest("kind", () -> MessageKinds.validate(null, new JsonObject()));
    assertBadRequest("body", () -> MessageKinds.validate("text", null));
  }
}
