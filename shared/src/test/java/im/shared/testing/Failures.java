package im.shared.testing;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

public final class Failures {

  private Failures() {}

  /** Awaits {@code future} and asserts it failed with an ImException of {@code code}. */
  public static ImException assertFailsWith(ErrorCode code, Future<?> future) {
    Object value;
    try {
      value = future.await();
    } catch (Throwable failure) {
      ImException im = assertInstanceOf(ImException.class, failure, String.valueOf(failure));
      assertEquals(code, im.code(), im.getMessage());
      return im;
    }
    throw new AssertionError("expected " + code + " but got " + value);
  }
}
