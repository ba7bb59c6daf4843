package im.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpFrameDecoderTest {

  private static final int MAX = 64 * 1024;

  private final RecordingListener listener = new RecordingListener();
  private final TcpFrameDecoder decoder = new TcpFrameDecoder(MAX, listener);

  private static Buffer header(long length, int op, int version, int flags) {
    return Buffer.buffer()
        .appendUnsignedInt(length)
        .appendUnsignedShort(op)
        .appendUnsignedByte((short) version)
        .appendUnsignedByte((short) flags);
  }

  private static Buffer rawFrame(int op, int version, Buffer payload) {
    return header(8 + payload.length(), op, version, 0).appendBuffer(payload);
  }

  private static List<Buffer> sampleFrames() {
    List<Buffer> frames = new ArrayList<>();
    frames.add(TcpFrameCodec.encode(Op.AUTH, new JsonObject().put("token", "t0k").put("device", "d1")));
    frames.add(TcpFrameCodec.encode(Op.PING, new JsonObject()));
    frames.add(TcpFrameCodec.encode(Op.SEND, new JsonObject().put("id", 7).put("cmid", "c1").put("text", "日本語 😀")));
    return frames;
  }

  private static Buffer concat(List<Buffer> parts) {
    Buffer all = Buffer.buffer();
    parts.forEach(all::appendBuffer);
    return all;
  }

  @Test
  void decodesOneFrame() {
    decoder.feed(TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", "p1")));
    assertEquals(List.of(new Frame(Op.PING, new JsonObject().put("id", "p1"))), listener.events);
  }

  @Test
  void decodesWhateverTheSplitPoint() {
    Buffer stream = concat(sampleFrames());
    for (int split = 0; split <= stream.length(); split++) {
      RecordingListener l = new RecordingListener();
      TcpFrameDecoder d = new TcpFrameDecoder(MAX, l);
      d.feed(stream.slice(0, split));
      d.feed(stream.slice(split, stream.length()));
      assertEquals(3, l.frames.size(), "split at " + split);
      assertEquals(List.of(Op.AUTH, Op.PING, Op.SEND), l.frames.stream().map(Frame::op).toList());
      assertEquals("日本語 😀", l.frames.get(2).body().getString("text"));
      assertEquals(List.of(), l.badFrames);
    }
  }

  @Test
  void decodesOneByteAtATime() {
    Buffer stream = concat(sampleFrames());
    for (int i = 0; i < stream.length(); i++) {
      decoder.feed(stream.slice(i, i + 1));
    }
    assertEquals(3, listener.frames.size());
    assertEquals(7, listener.frames.get(2).body().getInteger("id"));
  }

  @Test
  void decodesManyFramesCoalescedInOneChunk() {
    List<Buffer> frames = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      frames.add(TcpFrameCodec.encode(Op.RECV, new JsonObject().put("conv", "g:x").put("seq", i)));
    }
    decoder.feed(concat(frames));
    assertEquals(500, listener.frames.size());
    for (int i = 0; i < 500; i++) {
      assertEquals(i, listener.frames.get(i).body().getInteger("seq"));
    }
  }

  @Test
  void headerSplitAcrossChunks() {
    Buffer frame = TcpFrameCodec.encode(Op.TYPING, new JsonObject().put("conv", "g:1"));
    decoder.feed(frame.slice(0, 2));
    decoder.feed(frame.slice(2, 5));
    decoder.feed(frame.slice(5, 7));
    assertTrue(listener.events.isEmpty());
    // The rest of this frame and the whole next one arrive together.
    decoder.feed(Buffer.buffer().appendBuffer(frame.slice(7, frame.length())).appendBuffer(frame));
    assertEquals(2, listener.frames.size());
  }

  @Test
  void opCodeIsAuthoritativeAndTFieldIsDropped() {
    decoder.feed(TcpFrameCodec.encode(Op.PING, new JsonObject().put("t", "send").put("id", 1)));
    assertEquals(new Frame(Op.PING, new JsonObject().put("id", 1)), listener.frames.get(0));
  }

  @Test
  void flagsAreIgnored() {
    Buffer payload = Buffer.buffer("{\"id\":1}");
    decoder.feed(header(8 + payload.length(), Op.PING.code(), 1, 0xFF).appendBuffer(payload));
    assertEquals(1, listener.frames.size());
  }

  @Test
  void lengthBelowHeaderIsFatalBadRequest() {
    decoder.feed(header(7, Op.PING.code(), 1, 0));
    assertEquals(ErrorCode.BAD_REQUEST, listener.fatalCode);
  }

  @Test
  void tooLargeIsDetectedFromTheLengthFieldAlone() {
    decoder.feed(Buffer.buffer().appendUnsignedInt(MAX + 1L));
    assertEquals(ErrorCode.TOO_LARGE, listener.fatalCode);
  }

  @Test
  void tooLargeAfterSplitLengthField() {
    Buffer head = header(0xFFFFFFFFL, Op.SEND.code(), 1, 0);
    decoder.feed(head.slice(0, 1));
    decoder.feed(head.slice(1, 3));
    assertNull(listener.fatalCode);
    decoder.feed(head.slice(3, 8));
    assertEquals(ErrorCode.TOO_LARGE, listener.fatalCode);
  }

  @Test
  void frameOfExactlyTheMaximumIsAccepted() {
    int max = 64;
    TcpFrameDecoder small = new TcpFrameDecoder(max, listener);
    String padding = "x".repeat(max - 8 - "{\"p\":\"\"}".length());
    Buffer frame = rawFrame(Op.PING.code(), 1, Buffer.buffer("{\"p\":\"" + padding + "\"}"));
    assertEquals(max, frame.length());
    small.feed(frame);
    assertEquals(1, listener.frames.size());
    small.feed(rawFrame(Op.PING.code(), 1, Buffer.buffer("{\"p\":\"" + padding + "x\"}")));
    assertEquals(ErrorCode.TOO_LARGE, listener.fatalCode);
  }

  @Test
  void nothingFollowsAFatalError() {
    Buffer stream = Buffer.buffer()
        .appendBuffer(TcpFrameCodec.encode(Op.PING, new JsonObject()))
        .appendBuffer(header(3, 0, 0, 0))
        .appendBuffer(TcpFrameCodec.encode(Op.PING, new JsonObject()));
    decoder.feed(stream);
    decoder.feed(TcpFrameCodec.encode(Op.PING, new JsonObject()));
    assertEquals(List.of(new Frame(Op.PING, new JsonObject()), "fatal:BAD_REQUEST"), listener.events);
  }

  @Test
  void badFramesAreReportedAndDecodingContinues() {
    Buffer invalidUtf8 = Buffer.buffer("{\"a\":\"").appendByte((byte) 0xC3).appendString("\"}");
    Buffer stream = concat(List.of(
        rawFrame(Op.PING.code(), 1, Buffer.buffer("{not json")),
        rawFrame(Op.PING.code(), 1, Buffer.buffer("[1,2,3]")),
        rawFrame(Op.PING.code(), 1, invalidUtf8),
        rawFrame(99, 1, Buffer.buffer("{}")),
        rawFrame(Op.PING.code(), 2, Buffer.buffer("{}")),
        rawFrame(Op.PING.code(), 1, Buffer.buffer("")),
        TcpFrameCodec.encode(Op.PING, new JsonObject().put("id", "after"))));
    // Also split at every boundary, to check that a bad frame never desynchronises the stream.
    for (int split = 0; split <= stream.length(); split++) {
      RecordingListener l = new RecordingListener();
      TcpFrameDecoder d = new TcpFrameDecoder(MAX, l);
      d.feed(stream.slice(0, split));
      d.feed(stream.slice(split, stream.length()));
      assertEquals(6, l.badFrames.size(), "split at " + split + ": " + l.events);
      assertEquals(List.of(new Frame(Op.PING, new JsonObject().put("id", "after"))), l.frames);
      assertNull(l.fatalCode);
    }
  }

  @Test
  void badFrameReasonsNameTheProblem() {
    decoder.feed(rawFrame(99, 1, Buffer.buffer("{}")));
    decoder.feed(rawFrame(Op.PING.code(), 2, Buffer.buffer("{}")));
    decoder.feed(rawFrame(Op.PING.code(), 1, Buffer.buffer("[]")));
    assertEquals(List.of("unknown op code 99", "unsupported protocol version 2", "frame is not a JSON object"),
        listener.badFrames);
  }

  @Test
  void aThrowingListenerStopsTheDecoder() {
    List<Frame> seen = new ArrayList<>();
    TcpFrameDecoder d = new TcpFrameDecoder(MAX, new RecordingListener() {
      @Override
      public void onFrame(Frame frame) {
        seen.add(frame);
        throw new IllegalStateException("boom");
      }
    });
    Buffer two = concat(List.of(TcpFrameCodec.encode(Op.PING, null), TcpFrameCodec.encode(Op.PING, null)));
    assertThrows(IllegalStateException.class, () -> d.feed(two));
    d.feed(two);
    assertEquals(1, seen.size());
  }
}
