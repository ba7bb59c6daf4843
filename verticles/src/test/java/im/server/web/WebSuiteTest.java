package im.server.web;

import im.server.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Runs the JavaScript suites of {@code web/} against one node started here: the {@code @im/client} SDK tests
 * ({@code node --test test/sdk/}, needing only Node 20+) and the browser tests ({@code test/browser/}, driving
 * Debian's Chromium through playwright-core). A suite whose tools are missing is skipped, and the reason is written
 * to {@code target/web-tests/<suite>-SKIPPED.txt} (which {@code .ci/run} prints), so a skip is never silent.
 * Each suite's output is in {@code target/web-tests/<suite>.log}; screenshots go to {@code target/web-screenshots/}.
 */
@TestInstance(Lifecycle.PER_CLASS)
class WebSuiteTest {

  private static final Logger LOG = LoggerFactory.getLogger(WebSuiteTest.class);
  private static final Path WEB = Path.of("..", "web").toAbsolutePath().normalize();
  private static final Path OUT = Path.of("target", "web-tests").toAbsolutePath();
  static final String ADMIN_TOKEN = "web-suite-admin-token";

  private TestNode node;

  @BeforeAll
  void startNode() throws IOException {
    Files.createDirectories(OUT);
    node = TestNode.start(new JsonObject().put("admin", new JsonObject().put("token", ADMIN_TOKEN)));
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void sdkSuite() throws Exception {
    String nodeJs = require("sdk", nodeBinary(), "Node.js 20+ (`node`) is not on the PATH");
    run("sdk", List.of(nodeJs, "--experimental-websocket", "--test", "--test-concurrency=1", "test/sdk/"), 120);
  }

  @Test
  void browserSuite() throws Exception {
    String nodeJs = require("browser", nodeBinary(), "Node.js 20+ (`node`) is not on the PATH");
    String chromium = System.getenv().getOrDefault("IM_CHROMIUM", "/usr/bin/chromium");
    require("browser", new File(chromium).canExecute() ? chromium : null,
        chromium + " is missing (apt-get install -y chromium, or set IM_CHROMIUM)");
    require("browser", Files.isDirectory(WEB.resolve("node_modules/playwright-core")) ? "ok" : null,
        "web/node_modules/playwright-core is missing (run `npm ci` in web/)");
    run("browser", List.of(nodeJs, "--experimental-websocket", "--test", "--test-concurrency=1", "test/browser/"), 280);
  }

  private void run(String suite, List<String> command, long timeoutSeconds) throws Exception {
    Files.deleteIfExists(OUT.resolve(suite + "-SKIPPED.txt"));
    Path log = OUT.resolve(suite + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(WEB.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("IM_BASE_URL", "http://127.0.0.1:" + node.httpPort());
    builder.environment().put("IM_ADMIN_TOKEN", ADMIN_TOKEN);
    builder.environment().put("IM_SCREENSHOTS", Path.of("target", "web-screenshots").toAbsolutePath().toString());
    builder.environment().putIfAbsent("IM_CHROMIUM", "/usr/bin/chromium");
    Process process = builder.start();
    boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(finished, suite + " suite did not finish in " + timeoutSeconds + " s; see " + log + "\n" + tail(output));
    assertEquals(0, process.exitValue(), suite + " suite failed; see " + log + "\n" + tail(output));
  }

  private static String require(String suite, String found, String reason) throws IOException {
    if (found == null) {
      String message = "SKIPPED the " + suite + " suite of web/: " + reason;
      Files.writeString(OUT.resolve(suite + "-SKIPPED.txt"), message + "\n");
      LOG.warn(message);
      abort(message);
    }
    return found;
  }

  private static String nodeBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "node");
      if (candidate.canExecute()) {
        return candidate.getAbsolutePath();
      }
    }
    return null;
  }

  /** The end of a suite's output: enough to see which test failed, without flooding the report. */
  private static String tail(String output) {
    List<String> lines = new ArrayList<>(output.lines().toList());
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
