package im.loadtest;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.client.ImClient;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * The sending side of a pair or a group: sends text messages to its peer ({@code to}) or its group
 * ({@code conv}), closed model with at most {@code window} sends awaiting
 * their ack, and records each ack's latency.
 *
 * <p>The window is back-pressure: message numbers are a stream that {@code flatMapCompletable} pulls one
 * at a time as a send settles, so the next send starts on the event loop that delivered the previous reply
 * and the deadline (or the message count) is checked only when a slot frees up. Rate-limit retries wait on
 * RxJava's computation scheduler; {@link ImClient} may be called from any thread.
 */
final class Sender {

  private static final long RETRY_MS = 100;

  private final ImClient client;
  /** {@code "to"} with the peer's uid, or {@code "conv"} with a group's conversation. */
  private final String targetField;
  private final String target;
  private final int pair;
  private final RunId runId;
  private final LoadStats stats;

  Sender(ImClient client, String targetField, String target, int pair, RunId runId, LoadStats stats) {
    this.client = client;
    this.targetField = targetField;
    this.target = target;
    this.pair = pair;
    this.runId = runId;
    this.stats = stats;
  }

  /**
   * Sends until {@code deadlineNanos} ({@link System#nanoTime()}) or, when it is 0, {@code messages} messages;
   * stops early if the connection closes. Completes once every send has been acked or has failed.
   */
  Completable sends(int messages, int window, long deadlineNanos) {
    Flowable<Integer> numbers = deadlineNanos != 0
        ? Flowable.range(0, Integer.MAX_VALUE).takeWhile(n -> System.nanoTime() < deadlineNanos)
        : Flowable.range(0, messages);
    return numbers
        .takeWhile(n -> !client.closed().isComplete())
        .flatMapCompletable(this::send, false, window);
  }

  /** Closed model: the message is due now. */
  private Completable send(int n) {
    return send(n, System.nanoTime());
  }

  /**
   * One message, settled: an ack is recorded, any failure counted; neither stops the sender. The text carries the
   * wall-clock time it was due, so its peer measures delivery from then.
   */
  Completable send(int n, long dueNanos) {
    String cmid = runId.cmid(pair, n);
    JsonObject send = new JsonObject()
        .put("cmid", cmid)
        .put(targetField, target)
        .put("kind", "text")
        .put("body", new JsonObject().put("text", runId.text(n, wallClockMs(dueNanos))));
    return attempt(send)
        .doOnSuccess(reply -> onReply(reply, cmid, System.nanoTime() - dueNanos))
        .doOnError(failure -> stats.error(
            failure instanceof ImException e ? "no_reply_" + e.code().wireName() : "client_failure"))
        .ignoreElement()
        .onErrorComplete();
  }

  /**
   * Sends, and again with the same cmid after {@code rate_limited} or {@code unavailable} (an owner that did not
   * answer in time: the message may be stored, and the retry gets its ack), as docs/protocol.md §3 tells a client,
   * until another reply comes. Ack latency counts from the due time, as a user would feel it.
   */
  private Single<JsonObject> attempt(JsonObject send) {
    return Single.defer(() -> Single.fromCompletionStage(client.request(Op.SEND, send).toCompletionStage()))
        .flatMap(reply -> {
          String refused = retryableCode(reply);
          if (refused != null && !client.closed().isComplete()) {
            stats.retried(refused);
            return attempt(send).delaySubscription(RETRY_MS, TimeUnit.MILLISECONDS);
          }
          return Single.just(reply);
        });
  }

  private static long wallClockMs(long nanos) {
    return System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /** The error code of a reply that asks for a retry with the same cmid, else null. */
  private static String retryableCode(JsonObject reply) {
    Object code = reply.getValue("code");
    boolean retry = Op.ERROR.wireName().equals(reply.getValue("t"))
        && (ErrorCode.RATE_LIMITED.wireName().equals(code) || ErrorCode.UNAVAILABLE.wireName().equals(code));
    return retry ? (String) code : null;
  }

  private void onReply(JsonObject reply, String cmid, long latencyNanos) {
    String t = reply.getString("t");
    if (Op.ACK.wireName().equals(t) && cmid.equals(reply.getValue("cmid"))) {
      stats.acked(latencyNanos);
    } else if (Op.ERROR.wireName().equals(t)) {
      stats.error(String.valueOf(reply.getValue("code")));
    } else {
      stats.error("unexpected_reply_" + t);
    }
  }
}
