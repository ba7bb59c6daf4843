package im.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Streaming decoder of the TCP framing for one connection: bytes may arrive split or coalesced in any
 * way. It holds at most the incomplete part of one frame, and refuses a frame longer than
 * {@code maxFrameBytes} (counted with its header) from the length field alone, before buffering it.
 *
 * <p>Not thread-safe: feed it from the connection's context only. The listener is called synchronously
 * from {@link #feed}; it must not call {@code feed} itself. If the listener throws, the exception reaches
 * the caller of {@code feed} and the decoder stops, as after {@link Listener#onFatal}.
 */
public final class TcpFrameDecoder {

  public interface Listener {

    void onFrame(Frame frame);

    /**
     * Length intact but content wrong (bad JSON, JSON not an object, invalid UTF-8, unknown op code,
     * wrong version): the caller answers {@code error bad_request} and keeps the connection; decoding
     * continues with the next frame.
     */
    void onBadFrame(String reason);

    /**
     * Framing lost (declared length &lt; 8: {@link ErrorCode#BAD_REQUEST}) or declared length over the
     * maximum ({@link ErrorCode#TOO_LARGE}): the caller answers {@code error {code}} and closes.
     * No callback ever follows this one.
     */
    void onFatal(ErrorCode code, String reason);
  }

  private static final int LENGTH_BYTES = 4;
  private static final int OP_OFFSET = 4;
  private static final int VERSION_OFFSET = 6;

  private final int maxFrameBytes;
  private final Listener listener;
  /** The incomplete frame carried over from earlier chunks, or {@code null}. */
  private Buffer pending;
  private boolean stopped;

  public TcpFrameDecoder(int maxFrameBytes, Listener listener) {
    if (maxFrameBytes < TcpFrameCodec.HEADER_BYTES) {
      throw new IllegalArgumentException("maxFrameBytes must be at least the header size");
    }
    this.maxFrameBytes = maxFrameBytes;
    this.listener = listener;
  }

  public void feed(Buffer chunk) {
    if (stopped) {
      return;
    }
    try {
      int offset = pending == null ? 0 : completePending(chunk);
      if (pending == null) {
        decodeInPlace(chunk, offset);
      }
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  /** Moves into {@link #pending} only the bytes its frame still lacks; decodes it once complete. */
  private int completePending(Buffer chunk) {
    int offset = 0;
    if (pending.length() < LENGTH_BYTES) {
      offset = take(chunk, offset, LENGTH_BYTES - pending.length());
      if (pending.length() < LENGTH_BYTES) {
        return offset;
      }
    }
    long length = pending.getUnsignedInt(0);
    if (!acceptLength(length)) {
      return offset;
    }
    offset = take(chunk, offset, (int) length - pending.length());
    if (pending.length() == length) {
      Buffer frame = pending;
      pending = null;
      decodeFrame(frame, 0, (int) length);
    }
    return offset;
  }

  private int take(Buffer chunk, int offset, int wanted) {
    int n = Math.min(wanted, chunk.length() - offset);
    pending.appendBuffer(chunk, offset, n);
    return offset + n;
  }

  private void decodeInPlace(Buffer chunk, int offset) {
    while (!stopped) {
      int available = chunk.length() - offset;
      if (available == 0) {
        return;
      }
      int capacity = TcpFrameCodec.HEADER_BYTES;
      if (available >= LENGTH_BYTES) {
        long length = chunk.getUnsignedInt(offset);
        if (!acceptLength(length)) {
          return;
        }
        if (available >= length) {
          decodeFrame(chunk, offset, (int) length);
          offset += (int) length;
          continue;
        }
        capacity = (int) length;
      }
      // Copy: the chunk's memory is not ours to keep.
      pending = Buffer.buffer(capacity).appendBuffer(chunk, offset, available);
      return;
    }
  }

  private boolean acceptLength(long length) {
    if (length < TcpFrameCodec.HEADER_BYTES) {
      fatal(ErrorCode.BAD_REQUEST, "frame length " + length + " is shorter than the 8-byte header");
      return false;
    }
    if (length > maxFrameBytes) {
      fatal(ErrorCode.TOO_LARGE, "frame length " + length + " exceeds the maximum of " + maxFrameBytes);
      return false;
    }
    return true;
  }

  private void decodeFrame(Buffer bytes, int offset, int length) {
    int version = bytes.getUnsignedByte(offset + VERSION_OFFSET);
    if (version != TcpFrameCodec.VERSION) {
      listener.onBadFrame("unsupported protocol version " + version);
      return;
    }
    int code = bytes.getUnsignedShort(offset + OP_OFFSET);
    Op op = Op.fromCode(code);
    if (op == null) {
      listener.onBadFrame("unknown op code " + code);
      return;
    }
    JsonObject body;
    try {
      body = JsonFrames.parseObject(bytes.slice(offset + TcpFrameCodec.HEADER_BYTES, offset + length));
    } catch (ImException e) {
      listener.onBadFrame(e.getMessage());
      return;
    }
    body.remove("t");
    listener.onFrame(new Frame(op, body));
  }

  private void fatal(ErrorCode code, String reason) {
    stop();
    listener.onFatal(code, reason);
  }

  private void stop() {
    stopped = true;
    pending = null;
  }
}
