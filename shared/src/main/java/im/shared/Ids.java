package im.shared;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** Server-generated identifiers (docs/protocol.md §2). */
public final class Ids {

  private static final SecureRandom SECURE = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  /** A user id: 16 random bytes, url-safe (22 chars); unguessable so that uids can be shared. */
  public static String newUid() {
    byte[] bytes = new byte[16];
    SECURE.nextBytes(bytes);
    return URL.encodeToString(bytes);
  }

  /**
   * A message id: the millisecond time then 10 random bytes, url-safe (22 chars). Globally unique without
   * coordination, and roughly time-ordered, which keeps the {@code mid} index compact.
   */
  public static String newMid(long ts) {
    byte[] bytes = new byte[16];
    for (int i = 5; i >= 0; i--) {
      bytes[i] = (byte) (ts >>> (8 * (5 - i)));
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long a = random.nextLong();
    int b = random.nextInt();
    for (int i = 0; i < 8; i++) {
      bytes[6 + i] = (byte) (a >>> (8 * i));
    }
    bytes[14] = (byte) b;
    bytes[15] = (byte) (b >>> 8);
    return URL.encodeToString(bytes);
  }

  /** A random id for groups, rooms, requests and connections (16 chars, url-safe). */
  public static String newId() {
    byte[] bytes = new byte[12];
    ThreadLocalRandom.current().nextBytes(bytes);
    return URL.encodeToString(bytes);
  }
}
