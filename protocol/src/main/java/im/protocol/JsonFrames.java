package im.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the payload of a frame (TCP body or WebSocket text frame) into a JSON object. Strict on purpose:
 * invalid UTF-8 is an error rather than U+FFFD, and a JSON value other than an object is refused.
 * Stateless and thread-safe.
 */
public final class JsonFrames {

  private static final int MAX_DETAIL = 160;

  private JsonFrames() {}

  /** Strict UTF-8 decoding: malformed or unmappable input throws instead of being replaced. */
  public static String decodeUtf8Strict(Buffer bytes) throws CharacterCodingException {
    // A decoder is stateful, so each call takes a fresh one.
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes.getBytes()))
        .toString();
  }

  /** @throws ImException {@code bad_request} for bad JSON or a JSON value that is not an object */
  public static JsonObject parseObject(String text) {
    if (text == null || text.isEmpty()) {
      throw ImException.badRequest("empty frame: a frame carries one JSON object");
    }
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ImException.badRequest("invalid JSON: " + shortDetail(e));
    }
    if (!(value instanceof JsonObject object)) {
      throw ImException.badRequest("frame is not a JSON object");
    }
    return object;
  }

  /** {@link #decodeUtf8Strict} then {@link #parseObject(String)}; invalid UTF-8 is {@code bad_request} too. */
  public static JsonObject parseObject(Buffer bytes) {
    String text;
    try {
      text = decodeUtf8Strict(bytes);
    } catch (CharacterCodingException e) {
      throw ImException.badRequest("frame is not valid UTF-8");
    }
    return parseObject(text);
  }

  private static String shortDetail(DecodeException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    return message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "..." : message;
  }
}
