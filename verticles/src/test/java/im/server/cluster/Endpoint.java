package im.server.cluster;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** Where a client reaches a node's HTTP port: asked for again at each connect, since a restarted node picks new ports. */
record Endpoint(String host, int port) {

  static Supplier<Endpoint> local(IntSupplier port) {
    return () -> new Endpoint("127.0.0.1", port.getAsInt());
  }
}
