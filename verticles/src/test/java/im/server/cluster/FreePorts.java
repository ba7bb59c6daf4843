package im.server.cluster;

import im.testing.Poll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/** Ports and directories for the servers a fault test starts itself (they cannot bind port 0 and report it). */
final class FreePorts {

  private FreePorts() {}

  /** A port free on {@code host} now: the server that takes it starts right after. */
  static int pick(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  static void awaitListening(String host, int port, Duration limit, String what) {
    Poll.until(() -> answers(host, port), limit, what + " to listen");
  }

  static boolean answers(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException nothingThere) {
      return false;
    }
  }

  static boolean onPath(String executable) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String directory : path.split(":")) {
      if (Files.isExecutable(Path.of(directory, executable))) {
        return true;
      }
    }
    return false;
  }

  static void deleteTree(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
