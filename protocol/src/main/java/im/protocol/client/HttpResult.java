package im.protocol.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** One HTTP response: status, raw body and {@code Content-Type} (or {@code null}). */
public record HttpResult(int status, Buffer raw, String contentType) {

  /** The body as a JSON object; {@code null} for an empty body. Throws if the body is not a JSON object. */
  public JsonObject json() {
    return raw == null || raw.length() == 0 ? null : new JsonObject(raw);
  }

  /** {@code error.code} of a docs/protocol.md §4 error body, or {@code null} when there is none. */
  public String errorCode() {
    try {
      JsonObject body = json();
      JsonObject error = body == null ? null : body.getJsonObject("error");
      return error == null ? null : error.getString("code");
    } catch (RuntimeException notAnErrorBody) {
      return null;
    }
  }
}
