package im.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The realtime op table of docs/protocol.md §3: the TCP header carries {@link #code()}, a WebSocket frame
 * carries {@link #wireName()} in field {@code "t"}.
 */
public enum Op {
  AUTH(1, "auth"),
  AUTH_OK(2, "auth_ok"),
  PING(3, "ping"),
  PONG(4, "pong"),
  ERROR(5, "error"),
  OK(6, "ok"),
  SEND(10, "send"),
  ACK(11, "ack"),
  MSG(12, "msg"),
  RECV(13, "recv"),
  READ(14, "read"),
  TYPING(15, "typing"),
  RECALL(16, "recall"),
  RECALLED(17, "recalled"),
  PRESENCE(18, "presence"),
  JOIN(19, "join"),
  LEAVE(20, "leave"),
  KICKED(21, "kicked"),
  EVENT(22, "event"),
  CALL(23, "call");

  private static final Op[] BY_CODE = new Op[32];
  private static final Map<String, Op> BY_NAME = new HashMap<>();

  static {
    for (Op op : values()) {
      BY_CODE[op.code] = op;
      BY_NAME.put(op.wireName, op);
    }
  }

  private final int code;
  private final String wireName;

  Op(int code, String wireName) {
    this.code = code;
    this.wireName = wireName;
  }

  public int code() {
    return code;
  }

  public String wireName() {
    return wireName;
  }

  /** @return the op with this TCP code, or {@code null} when the code is not in the table */
  public static Op fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** @return the op with this WebSocket {@code "t"} name, or {@code null} when unknown */
  public static Op fromName(String name) {
    return name == null ? null : BY_NAME.get(name);
  }
}
