package im.testing;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a future from a test thread (never an event loop: it blocks). A future that does not complete in
 * time fails the test with an AssertionError; a failed future throws its failure.
 */
public final class Await {

  private Await() {}

  public static <T> T result(Future<T> future, Duration limit) {
    try {
      return future.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + limit.toMillis() + " ms", e);
    }
  }
}
