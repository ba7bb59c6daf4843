package im.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server (the binaries of codemonstur's embedded-redis) on a free port of 127.0.0.1, with an append-only file
 * in one directory so that a restart keeps its keys. The process is run here rather than by that library's
 * {@code RedisServer}, whose own shutdown hook would stop Redis in parallel with the node's drain. Start and stop are
 * blocking: call them from {@code main}, a shutdown hook or a test, never from an event loop.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
  private static final long START_LIMIT_MS = 20_000;
  private static final long STOP_SECONDS = 10;

  private final Process process;
  private final int port;

  private EmbeddedRedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts on {@code directory}. The caller holds the directory's lock, so a Redis still running there is an orphan
   * of a crashed node: it is stopped first, or two servers would append to one file.
   */
  static EmbeddedRedisServer start(Path directory) {
    Path log = directory.resolve("redis.log");
    try {
      Files.createDirectories(directory);
      Path pidFile = directory.resolve("redis.pid");
      StaleProcess.clear(pidFile, "redis-server");
      int port = freePort();
      long started = System.nanoTime();
      // Copied next to the data, over the previous copy, rather than into a new temporary directory per start,
      // which a killed node would leave behind.
      Path binaries = Files.createDirectories(directory.resolve("bin"));
      String executable = ExecutableProvider.newJarResourceProvider(binaries.toFile()).get().getPath();
      Process process = new ProcessBuilder(List.of(executable,
          "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", directory.toString(),
          "--appendonly", "yes", "--pidfile", pidFile.toString(), "--logfile", log.toString()))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      EmbeddedRedisServer redis = new EmbeddedRedisServer(process, port);
      redis.awaitPong();
      LOG.info("embedded Redis on 127.0.0.1:{} ({} ms), data in {}", port, (System.nanoTime() - started) / 1_000_000,
          directory);
      return redis;
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedException("embedded Redis in " + directory + " did not start: " + e.getMessage()
          + " (its log: " + log + ")");
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** SIGTERM: Redis syncs its append-only file and exits. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("embedded Redis did not stop within {} s of SIGTERM: killed", STOP_SECONDS);
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Redis answers PING with an error while it replays its append-only file, and refuses connections before it
   * listens: it is ready at the first {@code +PONG}. Start-up has no other signal to wait on, so this polls.
   */
  private void awaitPong() throws IOException {
    long deadline = System.currentTimeMillis() + START_LIMIT_MS;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with " + process.exitValue());
      }
      if (pong()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for Redis", e);
      }
    }
    process.destroyForcibly();
    throw new IOException("no PONG within " + START_LIMIT_MS + " ms");
  }

  private boolean pong() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(5);
      return "+PONG".equals(new String(reply, StandardCharsets.US_ASCII));
    } catch (IOException notYet) {
      return false;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
