package im.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What a hostile client sends, built from one {@link Random} so that a failing property names its seed and can be
 * replayed: JSON values of every type and depth, broken JSON text, TCP frames whole, broken, truncated and
 * oversized, and ways of cutting a byte stream into chunks.
 */
final class HostileInputs {

  /** Field names the message-kind validators look at, so random bodies hit their rules, not only unknown fields. */
  static final String[] BODY_FIELDS = {"text", "url", "mime", "size", "width", "height", "thumbUrl", "name",
      "durationMs", "lat", "lng", "type", "data", "id", "conv", "t"};

  private HostileInputs() {}

  /** Any JSON value, nested up to {@code depth} more levels. */
  static Object value(Random random, int depth) {
    int pick = random.nextInt(depth > 0 ? 14 : 11);
    return switch (pick) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt();
      case 3 -> random.nextLong();
      case 4 -> random.nextDouble() * Math.pow(10, random.nextInt(40) - 20);
      case 5 -> new BigInteger(random.nextInt(400) + 1, random).negate();
      case 6 -> new BigDecimal(new BigInteger(80, random), random.nextInt(60) - 30);
      case 7 -> random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY;
      case 8, 9, 10 -> string(random);
      case 11 -> array(random, depth - 1);
      default -> object(random, depth - 1);
    };
  }

  static JsonObject object(Random random, int depth) {
    JsonObject object = new JsonObject();
    int fields = random.nextInt(6);
    for (int i = 0; i < fields; i++) {
      String key = random.nextInt(3) == 0 ? string(random) : BODY_FIELDS[random.nextInt(BODY_FIELDS.length)];
      object.put(key, value(random, depth));
    }
    return object;
  }

  static JsonArray array(Random random, int depth) {
    JsonArray array = new JsonArray();
    int size = random.nextInt(5);
    for (int i = 0; i < size; i++) {
      array.add(value(random, depth));
    }
    return array;
  }

  /** Short strings with the characters that break things: U+0000, lone surrogates, bidi controls, emoji. */
  static String string(Random random) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(random.nextInt(10) == 0 ? 5000 : 12);
    String[] nasty = {"\u0000", "\uD800", "\uDC00", "\u202E", "\uFFFF", "\uD83D\uDE00", "\"", "\\", "\n", "é"};
    for (int i = 0; i < length; i++) {
      text.append(random.nextInt(4) == 0 ? nasty[random.nextInt(nasty.length)] : (char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  /** {@code depth} levels of objects or arrays (chosen per level) around a number. */
  static Object nested(Random random, int depth) {
    Object inner = 1;
    for (int level = 0; level < depth; level++) {
      inner = random.nextBoolean() ? new JsonObject().put("x", inner) : new JsonArray().add(inner);
    }
    return inner;
  }

  /** JSON text, well formed or not: a value, cut, spliced, nested past the parser's limit, or numbers too long. */
  static String jsonText(Random random) {
    String valid = new JsonObject().put("t", "send").put("body", object(random, 4)).encode();
    return switch (random.nextInt(8)) {
      case 0 -> valid;
      case 1 -> valid.substring(0, random.nextInt(valid.length() + 1));
      case 2 -> {
        int at = random.nextInt(valid.length() + 1);
        yield valid.substring(0, at) + "{[\",:}]\u0000".charAt(random.nextInt(8)) + valid.substring(at);
      }
      case 3 -> {
        int depth = random.nextInt(3000);
        String open = random.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        yield "{\"d\":" + open.repeat(depth) + "1" + close.repeat(random.nextInt(depth + 1)) + "}";
      }
      case 4 -> "{\"n\":" + "9".repeat(random.nextInt(20_000)) + (random.nextBoolean() ? "e999999999" : "") + "}";
      case 5 -> String.valueOf(value(random, 3));
      case 6 -> string(random);
      default -> "{\"s\":\"" + "\\u" + Integer.toHexString(0xD800 + random.nextInt(0x800)) + "\"}";
    };
  }

  /** Random bytes, often not UTF-8. */
  static byte[] bytes(Random random, int max) {
    byte[] bytes = new byte[random.nextInt(max + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** One TCP frame: well formed, or with a wrong version, an unknown op or a body that is not a JSON object. */
  static Buffer frame(Random random) {
    Buffer body = switch (random.nextInt(5)) {
      case 0 -> Buffer.buffer(jsonText(random).getBytes(StandardCharsets.UTF_8));
      case 1 -> Buffer.buffer(bytes(random, 40));
      default -> object(random, 3).toBuffer();
    };
    int op = random.nextInt(6) == 0 ? random.nextInt(65_536) : Op.values()[random.nextInt(Op.values().length)].code();
    int version = random.nextInt(8) == 0 ? random.nextInt(256) : TcpFrameCodec.VERSION;
    return Buffer.buffer().appendInt(TcpFrameCodec.HEADER_BYTES + body.length()).appendUnsignedShort(op)
        .appendUnsignedByte((short) version).appendUnsignedByte((short) 0).appendBuffer(body);
  }

  /** A stream of frames whose length fields are all intact. */
  static Buffer frames(Random random, int count) {
    Buffer stream = Buffer.buffer();
    for (int i = 0; i < count; i++) {
      stream.appendBuffer(frame(random));
    }
    return stream;
  }

  /** Cuts {@code stream} into chunks of random sizes: single bytes, a few bytes, or large coalesced runs. */
  static List<Buffer> chunks(Buffer stream, Random random) {
    List<Buffer> chunks = new ArrayList<>();
    int offset = 0;
    while (offset < stream.length()) {
      int size = switch (random.nextInt(3)) {
        case 0 -> 1;
        case 1 -> 1 + random.nextInt(16);
        default -> 1 + random.nextInt(stream.length());
      };
      int end = Math.min(stream.length(), offset + size);
      chunks.add(stream.getBuffer(offset, end));
      offset = end;
    }
    return chunks;
  }
}
