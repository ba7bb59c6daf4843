package im.shared.seq;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * Allocates per-conversation seqs from Redis ({@code INCRBY} on {@code seq:{conv}}) over one dedicated,
 * pipelined connection (the pooled client leases a connection per command and does not pipeline). Redis may lose its keys; every allocation therefore carries the
 * caller's durable floor and a Lua script raises a missing or lagging counter above it before
 * incrementing, atomically, so a seq never goes back.
 *
 * <p>Use from one Vert.x context (the owning message-verticle instance). A broken connection is
 * dropped and re-made on the next allocation.
 */
public final class SeqAllocator {

  /** KEYS[1] counter; ARGV[1] how many; ARGV[2] durable floor. Returns the last seq allocated. */
  static final String SCRIPT =
      "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') "
          + "local floor = tonumber(ARGV[2]) "
          + "if cur < floor then redis.call('SET', KEYS[1], floor) end "
          + "return redis.call('INCRBY', KEYS[1], ARGV[1])";

  /** One allocation request: {@code count} seqs for {@code conv}, all above {@code floor}. */
  public record Allocation(String conv, int count, long floor) {}

  private final Redis client;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;
  private String scriptSha;

  public SeqAllocator(Vertx vertx, String redisUrl) {
    this.client = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(redisUrl)
        .setMaxWaitingHandlers(65536));
  }

  /** The Redis key of a conversation's counter; the hash tag keeps it on one slot of a Redis Cluster. */
  public static String key(String conv) {
    return "seq:{" + conv + "}";
  }

  /**
   * Allocates for every request in one pipelined round trip.
   *
   * @return per request, in order, the LAST seq of its block: the block is {@code last - count + 1 .. last}
   */
  public Future<long[]> allocate(List<Allocation> allocations) {
    return connection()
        .compose(conn -> run(conn, allocations)
            .recover(failure -> {
              if (isNoScript(failure)) {
                scriptSha = null;
                return loadScript(conn).compose(sha -> run(conn, allocations));
              }
              return Future.failedFuture(failure);
            }))
        .onFailure(failure -> dropConnection());
  }

  private Future<long[]> run(RedisConnection conn, List<Allocation> allocations) {
    List<Request> requests = new ArrayList<>(allocations.size());
    for (Allocation allocation : allocations) {
      requests.add(Request.cmd(Command.EVALSHA)
          .arg(scriptSha)
          .arg(1)
          .arg(key(allocation.conv()))
          .arg(allocation.count())
          .arg(allocation.floor()));
    }
    return conn.batch(requests).map(responses -> {
      long[] last = new long[responses.size()];
      for (int i = 0; i < last.length; i++) {
        last[i] = responses.get(i).toLong();
      }
      return last;
    });
  }

  private static boolean isNoScript(Throwable failure) {
    String message = failure.getMessage();
    return message != null && message.contains("NOSCRIPT");
  }

  private Future<RedisConnection> connection() {
    if (connection != null && scriptSha != null) {
      return Future.succeededFuture(connection);
    }
    if (connecting == null) {
      connecting = client.connect()
          .compose(conn -> {
            conn.exceptionHandler(failure -> dropConnection());
            conn.endHandler(ended -> dropConnection());
            return loadScript(conn).map(sha -> conn);
          })
          .onComplete(result -> {
            connecting = null;
            if (result.succeeded()) {
              connection = result.result();
            }
          });
    }
    return connecting;
  }

  private Future<String> loadScript(RedisConnection conn) {
    return conn.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
        .map(Response::toString)
        .onSuccess(sha -> scriptSha = sha);
  }

  private void dropConnection() {
    RedisConnection broken = connection;
    connection = null;
    if (broken != null) {
      broken.close();
    }
  }

  public Future<Void> close() {
    dropConnection();
    client.close();
    return Future.succeededFuture();
  }
}
