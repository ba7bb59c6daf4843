package im.loadtest;

import java.util.UUID;

/**
 * What makes one run's users and messages its own: usernames never collide with earlier runs, and a peer
 * tells this run's messages, and their number, from anything else by the {@code cmid}
 * ({@code <run>-<pair>-<number>}). Immutable.
 */
record RunId(String value) {

  static RunId random() {
    return new RunId(UUID.randomUUID().toString().replace("-", "").substring(0, 10));
  }

  String username(int index) {
    return "lt" + value + "_" + index;
  }

  String password(int index) {
    return "pw-" + value + "-" + index;
  }

  String cmid(int pair, int messageNumber) {
    return value + "-" + pair + "-" + messageNumber;
  }

  /** The text of message {@code messageNumber}, carrying the wall-clock time it was due to be sent. */
  String text(int messageNumber, long dueMs) {
    return "load message " + messageNumber + " of run " + value + " due " + dueMs;
  }

  /** When a message of {@link #text} was due to be sent (ms since the epoch), or {@code -1} for another text. */
  static long dueMs(Object text) {
    if (!(text instanceof String s)) {
      return -1;
    }
    int at = s.lastIndexOf(" due ");
    try {
      return at < 0 ? -1 : Long.parseLong(s.substring(at + 5));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The sender's message number from a cmid of this run, {@code -1} for anything else. */
  int messageNumber(Object cmid) {
    if (!(cmid instanceof String text) || !text.startsWith(value + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(text.substring(text.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
