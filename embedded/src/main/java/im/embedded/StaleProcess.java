package im.embedded;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Clears what a crashed node left behind in its data directory: a pid file, and the server process it names when that
 * process outlived the node ({@code kill -9} of the JVM does not stop the PostgreSQL and Redis it started). Called by
 * the holder of the {@link DataDirectoryLock} only, so a live process named there is an orphan, never another node's.
 * Blocking; called on the starting thread.
 */
final class StaleProcess {

  private static final Logger LOG = LoggerFactory.getLogger(StaleProcess.class);
  private static final long STOP_SECONDS = 10;

  private StaleProcess() {}

  /** Stops the process {@code pidFile} names if its command contains {@code commandName}, then deletes the file. */
  static void clear(Path pidFile, String commandName) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> orphan = pid(pidFile).flatMap(ProcessHandle::of)
        .filter(ProcessHandle::isAlive)
        .filter(process -> process.info().command().map(command -> command.contains(commandName)).orElse(false));
    if (orphan.isPresent()) {
      ProcessHandle process = orphan.get();
      LOG.warn("stopping {} (pid {}) left running on {} by a node that did not stop cleanly",
          commandName, process.pid(), pidFile.getParent());
      process.destroy();
      try {
        process.onExit().get(STOP_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException slow) {
        process.destroyForcibly();
        process.onExit().join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while stopping " + commandName + " pid " + process.pid(), e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e.getCause());
      }
    }
    // The named process is gone (or was never ours): a file left behind would only confuse the next server.
    Files.deleteIfExists(pidFile);
  }

  private static Optional<Long> pid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (NumberFormatException garbled) {
      return Optional.empty();
    }
  }
}
