package im.server.push;

import im.protocol.MessageKinds;
import im.shared.bus.push.PushItem;
import io.vertx.core.json.JsonObject;

/**
 * The JSON object POSTed for one recipient of one message (docs/protocol.md §4, Offline push):
 * {@code {uid, conv, seq, mid, from, kind, preview, badge, ts}}. Pure functions.
 */
final class PushPayload {

  /** The contract cuts previews to this many characters (Unicode code points here, so no pair is split). */
  static final int PREVIEW_CHARS = 100;

  private PushPayload() {}

  static JsonObject of(PushItem item, String uid, long badge, boolean previews) {
    return new JsonObject()
        .put("uid", uid)
        .put("conv", item.conv())
        .put("seq", item.seq())
        .put("mid", item.mid())
        .put("from", item.from())
        .put("kind", item.kind())
        .put("preview", previews ? preview(item.kind(), item.body()) : "")
        .put("badge", badge)
        .put("ts", item.ts());
  }

  /** The text of a {@code text} message, cut to {@value #PREVIEW_CHARS} characters; empty for other kinds. */
  static String preview(String kind, JsonObject body) {
    if (!MessageKinds.TEXT.equals(kind) || body == null || !(body.getValue("text") instanceof String text)) {
      return "";
    }
    return text.codePointCount(0, text.length()) <= PREVIEW_CHARS
        ? text
        : text.substring(0, text.offsetByCodePoints(0, PREVIEW_CHARS));
  }
}
