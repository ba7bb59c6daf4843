package im.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Field checks of docs/protocol.md §2 and §3 shared by the gateways and the HTTP API. Every failure is an
 * {@link ImException} with {@link ErrorCode#BAD_REQUEST} whose message names the field.
 *
 * <p>Strings are refused when they hold U+0000 or an unpaired surrogate: PostgreSQL {@code text} and
 * {@code jsonb} cannot store them, and refusing here keeps one bad request from failing a batched write.
 * Numbers must be JSON numbers; a whole number may be written with a fraction of zero ({@code 5.0}),
 * since JSON does not tell the two apart. Stateless and thread-safe.
 */
public final class Validation {

  public static final Set<String> PLATFORMS = Set.of("web", "ios", "android", "desktop", "other");

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");
  private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final int MAX_CMID = 64;
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private Validation() {}

  /** 3–32 characters of {@code [A-Za-z0-9_.-]}. */
  public static String username(String username) {
    return matching("username", username, USERNAME, "3 to 32 characters of A-Z a-z 0-9 _ . -");
  }

  /** 1–64 characters of {@code [A-Za-z0-9_.:-]}. */
  public static String device(String device) {
    return matching("device", device, DEVICE, "1 to 64 characters of A-Z a-z 0-9 _ . : -");
  }

  /** 1–64 characters (Unicode code points), any but U+0000 and unpaired surrogates. */
  public static String cmid(String cmid) {
    if (cmid == null) {
      throw ImException.badRequest("cmid is required");
    }
    text("cmid", cmid);
    int length = cmid.codePointCount(0, cmid.length());
    if (length < 1 || length > MAX_CMID) {
      throw ImException.badRequest("cmid must be 1 to 64 characters");
    }
    return cmid;
  }

  /** {@code null} (not given) or one of {@link #PLATFORMS}. */
  public static String platform(String platform) {
    if (platform != null && !PLATFORMS.contains(platform)) {
      throw ImException.badRequest("platform must be one of web, ios, android, desktop, other");
    }
    return platform;
  }

  /** A present, non-empty JSON string. */
  public static String requireString(JsonObject body, String field) {
    return requireString(body, field, field);
  }

  /** A JSON string as given (possibly empty), or {@code null} when absent or JSON {@code null}. */
  public static String optionalString(JsonObject body, String field) {
    return optionalString(body, field, field);
  }

  /** @param label how messages name the field, e.g. {@code body.url} */
  static String requireString(JsonObject body, String field, String label) {
    String value = optionalString(body, field, label);
    if (value == null) {
      throw ImException.badRequest(label + " is required");
    }
    if (value.isEmpty()) {
      throw ImException.badRequest(label + " must not be empty");
    }
    return value;
  }

  static String optionalString(JsonObject body, String field, String label) {
    Object value = valueOf(body, field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String string)) {
      throw ImException.badRequest(label + " must be a string");
    }
    return text(label, string);
  }

  /** A present whole JSON number &gt;= 0 (a {@code seq} or a position given by a client). */
  public static long requireSeq(JsonObject body, String field) {
    return requireLong(body, field, 0, Long.MAX_VALUE);
  }

  /** A present whole JSON number within {@code [min, max]}. */
  public static long requireLong(JsonObject body, String field, long min, long max) {
    Long value = optionalLong(body, field, min, max);
    if (value == null) {
      throw ImException.badRequest(field + " is required");
    }
    return value;
  }

  /** A whole JSON number within {@code [min, max]}, or {@code null} when absent or JSON {@code null}. */
  public static Long optionalLong(JsonObject body, String field, long min, long max) {
    Object value = valueOf(body, field);
    if (value == null) {
      return null;
    }
    Long whole = value instanceof Number number ? wholeOrNull(number) : null;
    if (whole == null || whole < min || whole > max) {
      throw ImException.badRequest(field + " must be a whole number" + range(min, max));
    }
    return whole;
  }

  /**
   * The request {@code "id"} to echo in the reply: a JSON string or number, or {@code null} when absent.
   * Any other JSON type is refused.
   */
  public static Object requestId(JsonObject body) {
    Object id = valueOf(body, "id");
    if (id != null && !(id instanceof String) && !(id instanceof Number)) {
      throw ImException.badRequest("id must be a string or a number");
    }
    return id;
  }

  /** Refuses U+0000 and unpaired surrogates, which PostgreSQL cannot store. */
  public static String text(String field, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw ImException.badRequest(field + " must not contain U+0000");
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw ImException.badRequest(field + " contains an unpaired surrogate");
      }
    }
    return value;
  }

  /** {@link #text} for every key and string anywhere inside a JSON value. */
  public static void storableJson(String field, Object value) {
    if (value instanceof String string) {
      text(field, string);
    } else if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        text(field, entry.getKey());
        storableJson(field, entry.getValue());
      }
    } else if (value instanceof JsonArray array) {
      for (Object element : array) {
        storableJson(field, element);
      }
    }
  }

  /**
   * Refuses a JSON value nested deeper than {@code maxDepth} levels (an object or array is one level, and each
   * container inside it one more). Iterative, so no input can exhaust the stack here; the writers and parsers
   * downstream recurse once per level, which is why deep bodies are refused (docs/protocol.md §3, Isolation).
   */
  public static void maxDepth(String field, Object value, int maxDepth) {
    ArrayDeque<Object> containers = new ArrayDeque<>();
    ArrayDeque<Integer> depths = new ArrayDeque<>();
    containers.push(value);
    depths.push(1);
    while (!containers.isEmpty()) {
      Object container = containers.pop();
      int depth = depths.pop();
      Iterable<?> children;
      if (container instanceof JsonObject object) {
        children = object.getMap().values();
      } else if (container instanceof JsonArray array) {
        children = array.getList();
      } else {
        continue;
      }
      if (depth > maxDepth) {
        throw ImException.badRequest(field + " nests deeper than " + maxDepth + " levels");
      }
      for (Object child : children) {
        if (child instanceof JsonObject || child instanceof JsonArray || child instanceof Map || child instanceof List) {
          containers.push(wrap(child));
          depths.push(depth + 1);
        }
      }
    }
  }

  /** JsonObject and JsonArray hold plain maps and lists where the value was put as one. */
  @SuppressWarnings("unchecked")
  private static Object wrap(Object child) {
    if (child instanceof Map<?, ?> map) {
      return new JsonObject((Map<String, Object>) map);
    }
    if (child instanceof List<?> list) {
      return new JsonArray(list);
    }
    return child;
  }

  /** A whole number as a long, or {@code null} when it has a fraction or is out of the long range. */
  static Long wholeOrNull(Number number) {
    if (number instanceof Long || number instanceof Integer || number instanceof Short || number instanceof Byte) {
      return number.longValue();
    }
    if (number instanceof BigInteger big) {
      return big.compareTo(LONG_MIN) >= 0 && big.compareTo(LONG_MAX) <= 0 ? big.longValue() : null;
    }
    BigDecimal decimal;
    try {
      decimal = number instanceof BigDecimal d ? d : new BigDecimal(number.toString());
    } catch (NumberFormatException e) {
      return null;
    }
    try {
      return decimal.longValueExact();
    } catch (ArithmeticException e) {
      return null;
    }
  }

  static Object valueOf(JsonObject body, String field) {
    if (body == null) {
      throw ImException.badRequest("body must be a JSON object");
    }
    return body.getValue(field);
  }

  private static String matching(String field, String value, Pattern pattern, String rule) {
    if (value == null) {
      throw ImException.badRequest(field + " is required");
    }
    if (!pattern.matcher(value).matches()) {
      throw ImException.badRequest(field + " must be " + rule);
    }
    return value;
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE) {
      return min == Long.MIN_VALUE ? "" : " >= " + min;
    }
    return " from " + min + " to " + max;
  }
}
