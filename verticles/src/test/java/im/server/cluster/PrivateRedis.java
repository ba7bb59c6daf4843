package im.server.cluster;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server of one test's own ({@code redis-server} of the machine, no persistence), which the test may flush,
 * stop and start again on the same address: the shared Redis of the build is never touched. Used from the test
 * thread.
 */
final class PrivateRedis implements AutoCloseable {

  final String host;
  final int port;
  private final Path directory;
  private Process process;

  private PrivateRedis(String host, int port, Path directory) {
    this.host = host;
    this.port = port;
    this.directory = directory;
  }

  static boolean installed() {
    return FreePorts.onPath("redis-server");
  }

  static PrivateRedis start(String host) throws IOException {
    PrivateRedis redis = new PrivateRedis(host, FreePorts.pick(host), Files.createTempDirectory("im-private-redis-"));
    redis.start();
    return redis;
  }

  String url() {
    return "redis://" + host + ":" + port;
  }

  void start() throws IOException {
    process = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", host,
        "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", directory.toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("redis.log").toFile()))
        .start();
    FreePorts.awaitListening(host, port, Duration.ofSeconds(20), "redis-server on " + url());
  }

  /** SIGKILL: the server is gone at once, with everything it held. */
  void stop() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  Response command(Command command, String... args) {
    Vertx vertx = Vertx.vertx();
    try {
      return Redis.createClient(vertx, url()).send(Request.cmd(command, (Object[]) args)).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(command + " on " + url() + " failed", e);
    } finally {
      vertx.close().await();
    }
  }

  void flushAll() {
    command(Command.FLUSHALL);
  }

  long keys() {
    return command(Command.DBSIZE).toLong();
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      stop();
    }
    FreePorts.deleteTree(directory);
  }
}
