package im.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.CharacterCodingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonFramesTest {

  @Test
  void parsesAnObject() {
    assertEquals(new JsonObject().put("a", 1).put("b", "x"), JsonFrames.parseObject("{\"a\":1,\"b\":\"x\"}"));
    assertEquals(new JsonObject(), JsonFrames.parseObject(Buffer.buffer("{}")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{", "{\"a\":}", "[1,2]", "\"text\"", "42", "null", "true", "{} {}", "{}x"})
  void refusesWhatIsNotOneJsonObject(String text) {
    ImException e = assertThrows(ImException.class, () -> JsonFrames.parseObject(text));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  @Test
  void aRepeatedKeyKeepsItsLastValue() {
    assertEquals(new JsonObject().put("a", 2), JsonFrames.parseObject("{\"a\":1,\"a\":2}"));
  }

  @Test
  void refusesDeepNestingWithBadRequest() {
    String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
    ImException e = assertThrows(ImException.class, () -> JsonFrames.parseObject(deep));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }

  @Test
  void decodesValidUtf8() throws CharacterCodingException {
    assertEquals("é✓😀", JsonFrames.decodeUtf8Strict(Buffer.buffer("é✓😀")));
  }

  @Test
  void invalidUtf8IsReportedNotReplaced() {
    byte[][] invalid = {
      {(byte) 0xC3}, // truncated sequence
      {(byte) 0xC0, (byte) 0x80}, // overlong NUL
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // encoded surrogate
      {(byte) 0xFF},
    };
    for (byte[] bytes : invalid) {
      assertThrows(CharacterCodingException.class, () -> JsonFrames.decodeUtf8Strict(Buffer.buffer(bytes)));
    }
  }

  @Test
  void invalidUtf8InsideJsonIsBadRequest() {
    Buffer bytes = Buffer.buffer("{\"text\":\"").appendByte((byte) 0xFF).appendString("\"}");
    ImException e = assertThrows(ImException.class, () -> JsonFrames.parseObject(bytes));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
  }
}
