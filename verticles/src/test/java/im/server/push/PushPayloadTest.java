package im.server.push;

import im.shared.bus.push.PushItem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The payload's fields and its preview rules (docs/protocol.md §4, Offline push). */
class PushPayloadTest {

  private static PushItem item(String kind, JsonObject body) {
    return new PushItem("p:a:b", 7, "mid-1", "a", kind, body, 1234L, List.of("b"));
  }

  @Test
  void thePayloadHasTheContractsFields() {
    JsonObject payload = PushPayload.of(item("text", new JsonObject().put("text", "hi")), "b", 3, true);
    assertEquals(new JsonObject().put("uid", "b").put("conv", "p:a:b").put("seq", 7L).put("mid", "mid-1").put("from", "a")
        .put("kind", "text").put("preview", "hi").put("badge", 3L).put("ts", 1234L), payload);
  }

  @Test
  void previewsAreCutToAHundredCharactersWithoutSplittingOne() {
    String emoji = "\uD83D\uDE00";
    String text = emoji.repeat(150);
    String preview = PushPayload.preview("text", new JsonObject().put("text", text));
    assertEquals(100, preview.codePointCount(0, preview.length()));
    assertEquals(emoji.repeat(100), preview);
    assertEquals("short", PushPayload.preview("text", new JsonObject().put("text", "short")));
    String exactly = "y".repeat(100);
    assertEquals(exactly, PushPayload.preview("text", new JsonObject().put("text", exactly)));
  }

  @Test
  void previewsAreEmptyWhenSwitchedOffAndForKindsWithoutText() {
    assertEquals("", PushPayload.of(item("text", new JsonObject().put("text", "secret")), "b", 0, false).getString("preview"));
    assertEquals("", PushPayload.preview("image", new JsonObject().put("url", "/media/x").put("text", "caption")));
    assertEquals("", PushPayload.preview("text", null));
    assertEquals("", PushPayload.preview("custom", new JsonObject().put("text", 5)));
  }
}
