package im.server.session;

import im.shared.auth.TokenClaims;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * What a realtime connection offers the session side: who it is, where it runs, and how to write to it or
 * end it. The gateway's per-connection pipeline implements it; sessions, rooms and delivery only see this.
 *
 * <p>Threading: the getters are safe from any thread once the connection is registered; {@link #deliver} must
 * be called on {@link #context()}; {@link #kick} from any thread.
 */
public interface Connection {

  /** The authenticated user; null before sign-in. */
  String uid();

  String device();

  /** The token the connection signed in with; null before sign-in. */
  TokenClaims token();

  /** The id a send carries, so that fan-out can skip the sending connection. */
  String connId();

  /** {@code "ws"} or {@code "tcp"}. */
  String transport();

  /** When sign-in succeeded (ms since the epoch): the age that the device limit compares across nodes. */
  long signedInAtMs();

  /** The event-loop context the connection lives on. */
  Context context();

  /** Writes a frame of the node's fan-out; call on {@link #context()}. */
  void deliver(OutboundFrame frame);

  /** Sends {@code kicked {reason}} and closes: replaced, device_limit, admin, shutdown, logout, closed. */
  void kick(String reason);

  /** Completes once the connection is closed and its routes are released. */
  Future<Void> closed();

  /** {@code future}'s outcome, continued on this connection's context whatever thread completes it. */
  default <T> Future<T> onContext(Future<T> future) {
    Context context = context();
    Promise<T> promise = Promise.promise();
    future.onComplete(result -> {
      if (Vertx.currentContext() == context) {
        promise.handle(result);
      } else {
        context.runOnContext(v -> promise.handle(result));
      }
    });
    return promise.future();
  }
}
