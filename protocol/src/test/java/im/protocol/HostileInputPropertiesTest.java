package im.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Property tests of what a hostile client can send (docs/protocol.md §3): random, truncated, split, coalesced, deep
 * and huge inputs reach the TCP decoder, the JSON frame parser and the message-kind validators, and nothing comes
 * out but a frame, {@code bad_request} or, for broken framing, {@code bad_request}/{@code too_large} and a stop.
 *
 * <p>Each property draws one seed per example and builds its input from it ({@link HostileInputs}); a failure names
 * the seed, and {@code qt().withFixedSeed(...)} replays it. The example counts keep the whole class to a few seconds.
 */
class HostileInputPropertiesTest {

  private static final int MAX_FRAME = 64 * 1024;

  private static QuickTheory theory(int examples) {
    return qt().withExamples(examples).withShrinkCycles(20);
  }

  /** Runs {@code property} on a Random of each drawn seed; any throwable but an assertion is reported as one. */
  private static void forAllSeeds(int examples, Consumer<Random> property) {
    theory(examples).forAll(longs().all()).checkAssert(seed -> {
      try {
        property.accept(new Random(seed));
      } catch (AssertionError e) {
        throw e;
      } catch (Throwable e) {
        throw new AssertionError("seed " + seed + ": " + e, e);
      }
    });
  }

  @Test
  void theTcpDecoderTakesAnyBytesInAnyChunksWithoutThrowing() {
    forAllSeeds(400, random -> {
      Buffer stream = random.nextBoolean()
          ? HostileInputs.frames(random, random.nextInt(6))
          : Buffer.buffer(HostileInputs.bytes(random, 2_000));
      if (random.nextInt(4) == 0) {
        // A length field far over the maximum, or under the header, somewhere in the stream.
        stream.appendInt(random.nextBoolean() ? MAX_FRAME + 1 + random.nextInt(1 << 20) : random.nextInt(8));
      }
      RecordingListener listener = new RecordingListener();
      TcpFrameDecoder decoder = new TcpFrameDecoder(MAX_FRAME, listener);
      HostileInputs.chunks(stream, random).forEach(decoder::feed);

      int fatal = indexOfFatal(listener.events);
      assertTrue(fatal < 0 || fatal == listener.events.size() - 1, "nothing follows a fatal error: " + listener.events);
      assertTrue(listener.fatalCode == null || listener.fatalCode == ErrorCode.BAD_REQUEST
          || listener.fatalCode == ErrorCode.TOO_LARGE, "fatal " + listener.fatalCode);
      listener.frames.forEach(frame -> assertNull(frame.body().getValue("t"), "the header's op is authoritative"));
    });
  }

  @Test
  void splittingOrCoalescingAStreamOfFramesChangesNothingAndATruncatedOneGivesAPrefix() {
    forAllSeeds(300, random -> {
      int count = 1 + random.nextInt(8);
      Buffer stream = HostileInputs.frames(random, count);
      List<Object> whole = decode(List.of(stream));
      assertEquals(count, whole.size(), "one frame or one bad frame per frame sent: " + whole);
      assertEquals(whole, decode(HostileInputs.chunks(stream, random)), "split and coalesced alike");

      Buffer truncated = stream.getBuffer(0, random.nextInt(stream.length() + 1));
      List<Object> prefix = decode(HostileInputs.chunks(truncated, random));
      assertTrue(prefix.size() <= whole.size() && whole.subList(0, prefix.size()).equals(prefix),
          "a truncated stream waits for the rest: " + prefix);
    });
  }

  @Test
  void theJsonFrameParserReturnsAnObjectOrBadRequest() {
    forAllSeeds(600, random -> {
      if (random.nextInt(3) == 0) {
        assertObjectOrBadRequest(() -> JsonFrames.parseObject(Buffer.buffer(HostileInputs.bytes(random, 300))));
      } else {
        String text = HostileInputs.jsonText(random);
        assertObjectOrBadRequest(() -> JsonFrames.parseObject(text));
      }
    });
  }

  @Test
  void theMessageKindValidatorsAcceptOrRefuseWithBadRequest() {
    List<String> kinds = new ArrayList<>(MessageKinds.CLIENT_KINDS);
    kinds.addAll(List.of(MessageKinds.SYSTEM, "call", "", "TEXT"));
    forAllSeeds(3000, random -> {
      String kind = random.nextInt(20) == 0 ? null : kinds.get(random.nextInt(kinds.size()));
      JsonObject body = random.nextInt(20) == 0 ? null : HostileInputs.object(random, random.nextInt(6));
      if (body != null && random.nextInt(4) == 0) {
        body.put("data", HostileInputs.nested(random, random.nextInt(80)));
      }
      try {
        MessageKinds.validate(kind, body);
      } catch (ImException refused) {
        assertEquals(ErrorCode.BAD_REQUEST, refused.code(), refused.getMessage());
        return;
      }
      // Accepted: it must then be storable and encodable, which is what the group commit will do with it.
      assertNotNull(body.encode());
    });
  }

  @Test
  void aBodyIsAcceptedExactlyWhenItNestsAtMost32Levels() {
    forAllSeeds(300, random -> {
      int depth = 1 + random.nextInt(200);
      // The body object is level 1, its data the next ones.
      JsonObject body = new JsonObject().put("type", "t").put("data", HostileInputs.nested(random, depth - 1));
      boolean accepted;
      try {
        MessageKinds.validate(MessageKinds.CUSTOM, body);
        accepted = true;
      } catch (ImException refused) {
        assertEquals(ErrorCode.BAD_REQUEST, refused.code());
        accepted = false;
      }
      assertEquals(depth <= MessageKinds.MAX_BODY_DEPTH, accepted, "depth " + depth);
    });
  }

  private interface Parse {
    JsonObject run();
  }

  private static void assertObjectOrBadRequest(Parse parse) {
    try {
      assertNotNull(parse.run());
    } catch (ImException refused) {
      assertEquals(ErrorCode.BAD_REQUEST, refused.code(), refused.getMessage());
    }
  }

  private static List<Object> decode(List<Buffer> chunks) {
    RecordingListener listener = new RecordingListener();
    TcpFrameDecoder decoder = new TcpFrameDecoder(MAX_FRAME, listener);
    chunks.forEach(decoder::feed);
    assertNull(listener.fatalCode, "frames with intact lengths never lose the framing");
    return listener.events;
  }

  private static int indexOfFatal(List<Object> events) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i) instanceof String event && event.startsWith("fatal:")) {
        return i;
      }
    }
    return -1;
  }
}
