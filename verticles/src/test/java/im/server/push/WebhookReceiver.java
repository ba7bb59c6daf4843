package im.server.push;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A push gateway for tests: a real HTTP server on a free port that records every webhook POST and answers 200,
 * unless a rule says otherwise (answer an error status, or never answer). Tests wait for a POST with
 * {@link #next}; the server thread and the test thread share the state under this object's lock.
 */
final class WebhookReceiver implements AutoCloseable {

  /** One POST as it arrived. */
  record Post(String raw, JsonObject json, String signature, String contentType, int answered) {}

  /** Answers the next {@code times} POSTs that match with {@code status}, or never when {@code status} is 0. */
  private static final class Rule {
    final Predicate<JsonObject> matches;
    final int status;
    int times;

    Rule(Predicate<JsonObject> matches, int status, int times) {
      this.matches = matches;
      this.status = status;
      this.times = times;
    }
  }

  private record Waiter(Predicate<Post> matches, Promise<Post> promise) {}

  private final Vertx vertx = Vertx.vertx();
  private final List<Post> posts = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final HttpServer server;

  private WebhookReceiver() {
    this.server = vertx.createHttpServer().requestHandler(this::onRequest);
  }

  static WebhookReceiver listen() {
    WebhookReceiver receiver = new WebhookReceiver();
    receiver.server.listen(0, "127.0.0.1").await();
    return receiver;
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/push";
  }

  /** The next {@code times} POSTs matching {@code matches} are answered {@code status} (0: not answered at all). */
  synchronized void answer(Predicate<JsonObject> matches, int status, int times) {
    rules.add(new Rule(matches, status, times));
  }

  synchronized List<Post> posts() {
    return List.copyOf(posts);
  }

  /** The first POST, recorded or to come, that matches and was answered 200. */
  synchronized Future<Post> next(Predicate<Post> matches) {
    for (Post post : posts) {
      if (post.answered() == 200 && matches.test(post)) {
        return Future.succeededFuture(post);
      }
    }
    Promise<Post> promise = Promise.promise();
    waiters.add(new Waiter(matches, promise));
    return promise.future();
  }

  private void onRequest(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String raw = body.toString();
      JsonObject json = new JsonObject(raw);
      int status = statusFor(json);
      Post post = new Post(raw, json, request.getHeader("X-IM-Signature"), request.getHeader("Content-Type"), status);
      List<Promise<Post>> woken = record(post);
      if (status != 0) {
        request.response().setStatusCode(status).end();
      }
      woken.forEach(promise -> promise.complete(post));
    });
  }

  private synchronized int statusFor(JsonObject json) {
    for (Rule rule : rules) {
      if (rule.times > 0 && rule.matches.test(json)) {
        rule.times--;
        return rule.status;
      }
    }
    return 200;
  }

  private synchronized List<Promise<Post>> record(Post post) {
    posts.add(post);
    List<Promise<Post>> woken = new ArrayList<>();
    if (post.answered() == 200) {
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (waiter.matches().test(post)) {
          woken.add(waiter.promise());
          it.remove();
        }
      }
    }
    return woken;
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
