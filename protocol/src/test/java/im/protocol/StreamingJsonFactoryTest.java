package im.protocol;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Vert.x's JSON goes through the streaming codec, and what the platform puts in JSON reads back the same. */
class StreamingJsonFactoryTest {

  @Test
  void vertxUsesTheStreamingCodec() {
    assertEquals(JacksonCodec.class, Json.CODEC.getClass());
  }

  @Test
  void valuesOfFramesAndEventsRoundTrip() {
    JsonObject body = new JsonObject().put("conv", "p:a:b").put("seq", 9_007_199_254_740_993L).put("ok", true)
        .put("none", (Object) null).put("ratio", 0.25).put("text", "héllo \"quoted\" \u2028 😀")
        .put("list", new JsonArray().add(1).add("two").add(new JsonObject().put("deep", new JsonArray())))
        .put("at", Instant.parse("2026-11-30T01:00:00Z")).put("bytes", new byte[] {1, 2, 3});
    JsonObject read = new JsonObject(body.encode());
    assertEquals(body.encode(), read.encode());
    assertEquals(9_007_199_254_740_993L, read.getLong("seq"));
    assertEquals("2026-11-30T01:00:00Z", read.getString("at"));
    assertEquals(body.toBuffer(), read.toBuffer());
  }
}
