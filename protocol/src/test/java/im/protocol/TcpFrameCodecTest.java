package im.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpFrameCodecTest {

  @Test
  void headerCarriesTotalLengthOpVersionAndZeroFlags() {
    JsonObject body = new JsonObject().put("conv", "g:1").put("text", "héllo ✓");
    Buffer frame = TcpFrameCodec.encode(Op.SEND, body);
    byte[] json = body.encode().getBytes(StandardCharsets.UTF_8);

    assertEquals(8 + json.length, frame.length());
    assertEquals(frame.length(), frame.getInt(0));
    assertEquals(10, frame.getUnsignedShort(4));
    assertEquals(1, frame.getByte(6));
    assertEquals(0, frame.getByte(7));
    assertEquals(body, new JsonObject(frame.slice(8, frame.length())));
  }

  @Test
  void nullBodyIsAnEmptyObject() {
    Buffer frame = TcpFrameCodec.encode(Op.PING, null);
    assertEquals(10, frame.length());
    assertEquals("{}", frame.slice(8, 10).toString());
  }
}
