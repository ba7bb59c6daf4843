package im.server.api;

import im.protocol.ImException;
import im.protocol.Validation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;


/** Strict reading of JSON request bodies and query parameters: anything malformed or mistyped is {@code bad_request}. */
final class RequestJson {

  private RequestJson() {}

  /** The body as a JSON object; an empty body is an empty object. */
  static JsonObject body(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ImException.badRequest("body is not valid JSON");
    }
    if (!(value instanceof JsonObject object)) {
      throw ImException.badRequest("body must be a JSON object");
    }
    return object;
  }

  /** @return the string, or {@code null} when absent and not required; the checks are the realtime ones */
  static String string(JsonObject json, String field, boolean required) {
    return required ? Validation.requireString(json, field) : Validation.optionalString(json, field);
  }

  /** @return the whole number, or {@code null} when absent and not required */
  static Long integer(JsonObject json, String field, boolean required) {
    return required
        ? Long.valueOf(Validation.requireLong(json, field, Long.MIN_VALUE, Long.MAX_VALUE))
        : Validation.optionalLong(json, field, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  static boolean bool(JsonObject json, String field, boolean defaultValue) {
    Object value = json.getValue(field);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean b)) {
      throw ImException.badRequest(field + " must be true or false");
    }
    return b;
  }

  /** @return the array, or an empty one when absent */
  static JsonArray array(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw ImException.badRequest(field + " must be an array");
    }
    return array;
  }

  /** A non-negative whole-number query parameter, or {@code null} when absent. */
  static Long queryLong(RoutingContext ctx, String name) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return null;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw ImException.badRequest(name + " must be a whole number 0 or more");
  }

  /** Within {@code 1..max} (larger asks are capped at max), or {@code defaultValue} when absent. */
  static int limit(Long asked, int defaultValue, int max) {
    if (asked == null) {
      return defaultValue;
    }
    if (asked < 1) {
      throw ImException.badRequest("limit must be 1 or more");
    }
    return (int) Math.min(asked, max);
  }
}
