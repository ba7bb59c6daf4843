package im.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What a node's memory looks like from outside: heap in use from its {@code /metrics} (the JVM binders), and, when the
 * node runs on this machine and its pid is given, a full GC first ({@code jcmd PID GC.run}, so the heap figure is
 * live data) and its resident set from {@code /proc}.
 *
 * <p>{@link #sample} blocks (jcmd, /proc) and must be called off the event loop.
 */
final class NodeProbe {

  /** Heap in use and resident set (0 when unknown), in bytes. */
  record Memory(long heapBytes, long rssBytes) {}

  private final Vertx vertx;
  private final HttpClient http;
  private final String host;
  private final int port;
  private final long pid;

  /** @param pid the node's process id on this machine, or 0 when it runs elsewhere */
  NodeProbe(Vertx vertx, String host, int port, long pid) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient();
    this.host = host;
    this.port = port;
    this.pid = pid;
  }

  Memory sample() throws Exception {
    if (pid > 0) {
      Process gc = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true).start();
      gc.getInputStream().readAllBytes();
      gc.waitFor(60, TimeUnit.SECONDS);
    }
    String metrics = scrape().await(30, TimeUnit.SECONDS);
    return new Memory(heapUsed(metrics), rss());
  }

  void close() {
    http.close();
  }

  private Future<String> scrape() {
    return http.request(HttpMethod.GET, port, host, "/metrics")
        .compose(request -> request.send())
        .compose(response -> response.body())
        .map(Object::toString);
  }

  /** The sum of {@code jvm_memory_used_bytes{area="heap",...}} over the heap's pools. */
  static long heapUsed(String metrics) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }

  private long rss() throws IOException {
    if (pid <= 0) {
      return 0;
    }
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }
}
