package im.server.presence;

import im.protocol.ImException;

import java.util.Locale;

/** The statuses of docs/protocol.md §3 {@code presence}. {@code invisible} is only ever set: others see {@code offline}. */
public enum PresenceStatus {
  ONLINE, AWAY, BUSY, OFFLINE, INVISIBLE;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  /** What other users see of a connected user who chose this status. */
  public PresenceStatus shownAs() {
    return this == INVISIBLE || this == OFFLINE ? OFFLINE : this;
  }

  /**
   * A status a client may set. {@code offline} while connected means "appear offline", exactly like
   * {@code invisible}, and is stored as such.
   */
  public static PresenceStatus settable(String status) {
    if (status != null) {
      for (PresenceStatus value : values()) {
        if (value.wireName.equals(status)) {
          return value == OFFLINE ? INVISIBLE : value;
        }
      }
    }
    throw ImException.badRequest("status must be one of online, away, busy, offline, invisible");
  }

  /** @return the status with this wire name, or {@code fallback} */
  public static PresenceStatus of(String wireName, PresenceStatus fallback) {
    for (PresenceStatus value : values()) {
      if (value.wireName.equals(wireName)) {
        return value;
      }
    }
    return fallback;
  }
}
