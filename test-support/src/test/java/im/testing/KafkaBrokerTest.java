package im.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KafkaBrokerTest {

  @Test
  void answersOnItsPortUntilStoppedAgainAfterRestartAndLeavesNoDataBehind() throws IOException {
    Path directory;
    try (KafkaBroker broker = KafkaBroker.start()) {
      directory = broker.directory();
      connect(broker.bootstrap());

      broker.stop();
      assertThrows(IOException.class, () -> connect(broker.bootstrap()));

      broker.restart();
      connect(broker.bootstrap());
    }
    assertFalse(Files.exists(directory));
  }

  private static void connect(String bootstrap) throws IOException {
    String[] hostPort = bootstrap.split(":");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 2_000);
    }
  }
}
