package im.server.gateway;

/** Why the server closes a connection; the WebSocket transport sends the RFC 6455 status, TCP just closes. */
enum CloseCode {
  NORMAL(1000),
  GOING_AWAY(1001),
  PROTOCOL_ERROR(1002),
  UNSUPPORTED_DATA(1003),
  INVALID_PAYLOAD(1007),
  POLICY_VIOLATION(1008),
  MESSAGE_TOO_BIG(1009),
  INTERNAL_ERROR(1011);

  private final short wsStatus;

  CloseCode(int wsStatus) {
    this.wsStatus = (short) wsStatus;
  }

  short wsStatus() {
    return wsStatus;
  }

  /** The close code with this RFC 6455 status, or {@link #PROTOCOL_ERROR} for one we never send ourselves. */
  static CloseCode ofWsStatus(int status) {
    for (CloseCode code : values()) {
      if (code.wsStatus == status) {
        return code;
      }
    }
    return PROTOCOL_ERROR;
  }
}
