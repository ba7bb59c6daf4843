package im.shared.limits;

import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-window counters in Redis, shared by every node of the cluster (docs/architecture.md, "Throttling"): a key
 * counts events for {@code windowSeconds} from its first event, then expires. One Redis round trip per call.
 *
 * <p>Thread-safe and stateless; futures complete on the caller's context. A Redis failure fails the future with
 * {@code unavailable}: a throttle that cannot count lets nothing through rather than everything.
 */
public final class Throttle {

  /** One counter: at most {@code limit} events per {@code windowSeconds}; a limit of 0 is no limit. */
  public record Rule(String key, int limit, long windowSeconds) {
    boolean on() {
      return limit > 0;
    }
  }

  private final Redis redis;
  private final String prefix;

  /** @param namespace keeps the counters of two clusters sharing a Redis apart (the cluster name) */
  public Throttle(Redis redis, String namespace) {
    this.redis = redis;
    this.prefix = "im:" + namespace + ":throttle:";
  }

  /**
   * Checks without counting.
   *
   * @return 0 when every rule allows one more event, else the seconds until the fullest blocking window ends
   */
  public Future<Long> blockedFor(List<Rule> rules) {
    List<Rule> on = rules.stream().filter(Rule::on).toList();
    if (on.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    List<Request> requests = new ArrayList<>();
    on.forEach(rule -> {
      requests.add(Request.cmd(Command.GET).arg(prefix + rule.key()));
      requests.add(Request.cmd(Command.TTL).arg(prefix + rule.key()));
    });
    return batch(requests).map(responses -> {
      long wait = 0;
      for (int i = 0; i < on.size(); i++) {
        Response count = responses.get(2 * i);
        if (count != null && count.toLong() >= on.get(i).limit()) {
          wait = Math.max(wait, remaining(responses.get(2 * i + 1), on.get(i)));
        }
      }
      return wait;
    });
  }

  /** Counts one event against every rule. */
  public Future<Void> count(List<Rule> rules) {
    List<Rule> on = rules.stream().filter(Rule::on).toList();
    if (on.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> requests = new ArrayList<>();
    on.forEach(rule -> {
      requests.add(startWindow(prefix + rule.key(), rule));
      requests.add(Request.cmd(Command.INCR).arg(prefix + rule.key()));
    });
    return batch(requests).mapEmpty();
  }

  /**
   * Counts one event and says whether it was within the limit: concurrent callers cannot overshoot it.
   *
   * @return 0 when allowed, else the seconds until the window ends
   */
  public Future<Long> take(Rule rule) {
    if (!rule.on()) {
      return Future.succeededFuture(0L);
    }
    String key = prefix + rule.key();
    return batch(List.of(startWindow(key, rule), Request.cmd(Command.INCR).arg(key), Request.cmd(Command.TTL).arg(key)))
        .map(responses -> responses.get(1).toLong() <= rule.limit() ? 0L : remaining(responses.get(2), rule));
  }

  /**
   * Creates the counter with its window's TTL unless it exists; the INCR after it keeps the TTL. ({@code EXPIRE ... NX}
   * would say the same in one command, but only from Redis 7; embedded mode runs Redis 6.2.)
   */
  private static Request startWindow(String key, Rule rule) {
    return Request.cmd(Command.SET).arg(key).arg(0).arg("EX").arg(rule.windowSeconds()).arg("NX");
  }

  private Future<List<Response>> batch(List<Request> requests) {
    return redis.batch(requests)
        .recover(failure -> Future.failedFuture(ImException.unavailable("throttle unavailable; retry")));
  }

  /** A key without a TTL (-1, should not happen) or gone meanwhile (-2) counts as a whole window. */
  private static long remaining(Response ttl, Rule rule) {
    long seconds = ttl == null ? -1 : ttl.toLong();
    return seconds > 0 ? seconds : rule.windowSeconds();
  }
}
