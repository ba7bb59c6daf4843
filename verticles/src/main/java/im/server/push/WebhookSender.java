package im.server.push;

import im.shared.config.ImConfig;
import im.shared.metrics.ImMetrics;
import io.reactivex.rxjava3.core.BackpressureOverflowStrategy;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.processors.FlowableProcessor;
import io.reactivex.rxjava3.processors.PublishProcessor;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * POSTs push payloads to the webhook, at least once (docs/protocol.md §4, Offline push; docs/architecture.md,
 * "Offline push"). An RxJava pipeline, because its operators are exactly the contract: a bounded buffer that drops
 * the oldest waiting push when full ({@code onBackpressureBuffer}), at most {@code push.maxInFlight} POSTs at once
 * ({@code flatMapCompletable}), and per push a retry with exponential backoff ({@code retryWhen} over
 * {@link Backoff}) for {@code push.retryForMs}. A non-2xx answer, a refused connection or no answer within
 * {@code push.timeoutMs} is a failure. Delivered, retried, failed (given up) and dropped pushes are counted.
 *
 * <p>Threading: create, {@link #submit} and {@link #stop} on one Vert.x context; the pipeline, its timers (a
 * scheduler over that context) and the HTTP client's callbacks all run there. Pushes still queued when the node
 * stops are lost.
 */
final class WebhookSender {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  private final ImConfig.Push config;
  private final ImMetrics metrics;
  private final HttpClient client;
  private final WebhookSignature signature;
  private final Backoff backoff;
  private final Scheduler scheduler;
  private final FlowableProcessor<Buffer> queue = PublishProcessor.create();
  private final Disposable pipeline;

  WebhookSender(Vertx vertx, Context context, ImConfig.Push config, ImMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeoutMs()))
            .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.timeoutMs()))
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS),
        new PoolOptions().setHttp1MaxSize(config.maxInFlight()));
    this.signature = config.webhookSecret().isEmpty() ? null : new WebhookSignature(config.webhookSecret());
    this.backoff = new Backoff(config.firstRetryMs(), config.maxBackoffMs());
    this.scheduler = Schedulers.from(task -> context.runOnContext(v -> task.run()));
    this.pipeline = queue
        .onBackpressureBuffer(config.queueSize(), metrics::pushDropped, BackpressureOverflowStrategy.DROP_OLDEST)
        .flatMapCompletable(this::deliver, false, config.maxInFlight())
        .subscribe(() -> { }, failure -> LOG.error("push pipeline stopped", failure));
  }

  /** Queues one payload; never blocks: past {@code push.queueSize} waiting pushes the oldest is dropped. */
  void submit(Buffer payload) {
    queue.onNext(payload);
  }

  void stop() {
    pipeline.dispose();
    client.close();
  }

  /** One push, retried until it is accepted or {@code push.retryForMs} have passed; never fails. */
  private Completable deliver(Buffer payload) {
    long firstAttempt = System.nanoTime();
    int[] retries = {0};
    return Completable.defer(() -> post(payload))
        .retryWhen(failures -> failures.concatMap(failure -> {
          long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAttempt);
          if (elapsedMs >= config.retryForMs()) {
            return Flowable.error(failure);
          }
          metrics.pushRetried();
          return Flowable.timer(backoff.delayMs(++retries[0]), TimeUnit.MILLISECONDS, scheduler);
        }))
        .doOnComplete(metrics::pushDelivered)
        .onErrorResumeNext(failure -> {
          metrics.pushFailed();
          LOG.warn("push given up after {} retries: {}", retries[0], failure.getMessage());
          return Completable.complete();
        });
  }

  private Completable post(Buffer payload) {
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(config.webhookUrl())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (signature != null) {
      request.putHeader(WebhookSignature.HEADER, signature.sign(payload));
    }
    Future<Integer> status = client.request(request)
        .compose(req -> req.send(payload))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .timeout(config.timeoutMs(), TimeUnit.MILLISECONDS);
    return Completable.create(emitter -> status.onComplete(answered -> {
      if (answered.failed()) {
        emitter.tryOnError(answered.cause());
      } else if (answered.result() / 100 != 2) {
        emitter.tryOnError(new IllegalStateException("webhook answered " + answered.result()));
      } else {
        emitter.onComplete();
      }
    }));
  }
}
