package im.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Encodes TCP frames (docs/protocol.md §3): an 8-byte header (total length including the header as unsigned
 * big-endian int, op code as unsigned big-endian short, version, flags) followed by the UTF-8 JSON body.
 * Stateless and thread-safe; decoding is {@link TcpFrameDecoder}'s job.
 */
public final class TcpFrameCodec {

  public static final int HEADER_BYTES = 8;
  public static final int VERSION = 1;
  static final int FLAGS = 0;

  private TcpFrameCodec() {}

  /** @param body written as is (a {@code "t"} field, if any, is not removed); {@code null} gives {@code {}} */
  public static Buffer encode(Op op, JsonObject body) {
    Buffer json = body == null ? Buffer.buffer("{}") : body.toBuffer();
    int total = HEADER_BYTES + json.length();
    return Buffer.buffer(total)
        .appendInt(total)
        .appendUnsignedShort(op.code())
        .appendUnsignedByte((short) VERSION)
        .appendUnsignedByte((short) FLAGS)
        .appendBuffer(json);
  }
}
