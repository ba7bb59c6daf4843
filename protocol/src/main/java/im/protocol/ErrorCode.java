package im.protocol;

/** The error codes of docs/protocol.md §3, each with the HTTP status of docs/protocol.md §4. */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 400),
  UNAUTHORIZED("unauthorized", 401),
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  NOT_MEMBER("not_member", 403),
  BLOCKED("blocked", 403),
  NOT_FRIENDS("not_friends", 403),
  CONFLICT("conflict", 409),
  TOO_LARGE("too_large", 413),
  RATE_LIMITED("rate_limited", 429),
  RECALL_EXPIRED("recall_expired", 403),
  UNAVAILABLE("unavailable", 503),
  INTERNAL("internal", 500);

  private final String wireName;
  private final int httpStatus;

  ErrorCode(String wireName, int httpStatus) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
  }

  public String wireName() {
    return wireName;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** @return the code with this wire name, or {@link #INTERNAL} for a name this build does not know */
  public static ErrorCode fromWireName(String name) {
    for (ErrorCode code : values()) {
      if (code.wireName.equals(name)) {
        return code;
      }
    }
    return INTERNAL;
  }
}
