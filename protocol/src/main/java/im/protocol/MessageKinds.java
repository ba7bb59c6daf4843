package im.protocol;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Checks a client's message {@code body} against its {@code kind} (docs/protocol.md §3 "Message kinds").
 *
 * <p>Rules beyond the table, where the protocol is silent: required strings are non-empty; {@code size} and
 * {@code durationMs} are whole numbers &gt;= 0, {@code width} and {@code height} whole numbers &gt; 0;
 * numbers must be JSON numbers, never strings; an optional field set to JSON {@code null} counts as
 * absent. Fields not named in the table are allowed and kept, so that a newer client can add fields
 * without older servers refusing its messages. No string anywhere in the body may hold U+0000 or an
 * unpaired surrogate (see {@link Validation}), and a body nests at most {@link #MAX_BODY_DEPTH} levels, whatever
 * its kind. Stateless and thread-safe.
 */
public final class MessageKinds {

  public static final String TEXT = "text";
  public static final String IMAGE = "image";
  public static final String FILE = "file";
  public static final String AUDIO = "audio";
  public static final String VIDEO = "video";
  public static final String LOCATION = "location";
  public static final String CUSTOM = "custom";
  /** Written by the server into group conversations; never accepted from a client. */
  public static final String SYSTEM = "system";
  /** Written by the server when a one-to-one call ends ({@code {callId, media, result, durationMs}}); never from a client. */
  public static final String CALL = "call";

  /** The kinds a client may send. */
  public static final Set<String> CLIENT_KINDS = Set.of(TEXT, IMAGE, FILE, AUDIO, VIDEO, LOCATION, CUSTOM);

  public static final int MAX_TEXT_CHARS = 4000;
  /** How deep a body may nest (docs/protocol.md §3, Isolation): the body object itself is level 1. */
  public static final int MAX_BODY_DEPTH = 32;

  private MessageKinds() {}

  /** @throws ImException {@code bad_request} naming the kind or the body field at fault */
  public static void validate(String kind, JsonObject body) {
    if (kind == null) {
      throw ImException.badRequest("kind is required");
    }
    if (body == null) {
      throw ImException.badRequest("body must be a JSON object");
    }
    Validation.maxDepth("body", body, MAX_BODY_DEPTH);
    switch (kind) {
      case TEXT -> text(body);
      case IMAGE -> {
        media(body);
        visual(body);
      }
      case FILE -> {
        media(body);
        string(body, "name");
      }
      case AUDIO -> {
        media(body);
        whole(body, "durationMs", 0);
      }
      case VIDEO -> {
        media(body);
        whole(body, "durationMs", 0);
        visual(body);
      }
      case LOCATION -> location(body);
      case CUSTOM -> custom(body);
      case SYSTEM, CALL -> throw ImException.badRequest("kind " + kind + " is written by the server only");
      default -> throw ImException.badRequest("unknown message kind: " + kind);
    }
    Validation.storableJson("body", body);
  }

  private static void text(JsonObject body) {
    String text = string(body, "text");
    if (text.codePointCount(0, text.length()) > MAX_TEXT_CHARS) {
      throw ImException.badRequest("body.text must be 1 to " + MAX_TEXT_CHARS + " characters");
    }
  }

  private static void media(JsonObject body) {
    string(body, "url");
    string(body, "mime");
    whole(body, "size", 0);
  }

  private static void visual(JsonObject body) {
    optionalWhole(body, "width", 1);
    optionalWhole(body, "height", 1);
    optionalString(body, "thumbUrl");
  }

  private static void location(JsonObject body) {
    degrees(body, "lat", 90);
    degrees(body, "lng", 180);
    optionalString(body, "name");
  }

  private static void custom(JsonObject body) {
    string(body, "type");
    if (!body.containsKey("data")) {
      throw ImException.badRequest("body.data is required");
    }
  }

  private static String string(JsonObject body, String field) {
    return Validation.requireString(body, field, "body." + field);
  }

  private static void optionalString(JsonObject body, String field) {
    if (body.getValue(field) != null) {
      string(body, field);
    }
  }

  private static void whole(JsonObject body, String field, long min) {
    if (body.getValue(field) == null) {
      throw ImException.badRequest("body." + field + " is required");
    }
    optionalWhole(body, field, min);
  }

  private static void optionalWhole(JsonObject body, String field, long min) {
    Object value = body.getValue(field);
    if (value == null) {
      return;
    }
    Long whole = value instanceof Number number ? Validation.wholeOrNull(number) : null;
    if (whole == null || whole < min) {
      throw ImException.badRequest("body." + field + " must be a whole number >= " + min);
    }
  }

  private static void degrees(JsonObject body, String field, int limit) {
    Object value = body.getValue(field);
    if (value == null) {
      throw ImException.badRequest("body." + field + " is required");
    }
    double degrees = value instanceof Number number ? number.doubleValue() : Double.NaN;
    if (!(degrees >= -limit && degrees <= limit)) {
      throw ImException.badRequest("body." + field + " must be a number from -" + limit + " to " + limit);
    }
  }
}
