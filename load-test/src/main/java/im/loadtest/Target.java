package im.loadtest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The node a scenario loads and how its clients reach it: the transport, the ports, how many set-up steps may be
 * in flight, and the local addresses to connect from (one address gives ~28,000 ephemeral ports towards one
 * server port; spread more connections over several {@code 127.0.0.x}).
 */
record Target(String host, int httpPort, int tcpPort, String transport, int setupConcurrency,
              List<String> sourceAddresses) {

  static final String USAGE = String.join("\n",
      "  --host=127.0.0.1     node to load",
      "  --http-port=8080     HTTP API and WebSocket port",
      "  --tcp-port=9000      TCP gateway port",
      "  --transport=ws       ws or tcp",
      "  --setup-concurrency=32  registrations, logins and connects in flight during setup",
      "  --source-addresses=  local addresses to connect from, comma-separated (default: any)");

  static final List<String> FLAGS = List.of("host", "http-port", "tcp-port", "transport", "setup-concurrency",
      "source-addresses");

  /** A scenario's parsed arguments: its own flags and the target they name. */
  record Args(Flags flags, Target target) {}

  /**
   * Parses a scenario's arguments: the target's flags and {@code own}. On a bad argument prints why and
   * {@code usage} (the scenario's own lines; the target's are added) and returns null: the caller exits 64.
   */
  static Args parse(String[] args, String scenario, List<String> own, String usage) {
    Set<String> known = new HashSet<>(FLAGS);
    known.addAll(own);
    try {
      Flags given = Flags.parse(args, known);
      return new Args(given, from(given));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: java -cp im-load-test.jar im.loadtest." + scenario + " [--key=value ...]\n" + USAGE
          + "\n" + usage);
      return null;
    }
  }

  static Target from(Flags given) {
    String sources = given.string("source-addresses", "");
    Target target = new Target(given.string("host", "127.0.0.1"), given.integer("http-port", 8080),
        given.integer("tcp-port", 9000), given.string("transport", "ws"), given.integer("setup-concurrency", 32),
        sources.isBlank() ? List.of() : List.of(sources.split(",")));
    if (!target.transport.equals("ws") && !target.transport.equals("tcp")) {
      throw new IllegalArgumentException("--transport must be ws or tcp");
    }
    if (target.setupConcurrency < 1) {
      throw new IllegalArgumentException("--setup-concurrency must be >= 1");
    }
    return target;
  }

  boolean overWebSocket() {
    return transport.equals("ws");
  }

  /** host:port of the transport's endpoint. */
  String endpoint() {
    return host + ":" + (overWebSocket() ? httpPort : tcpPort);
  }
}
