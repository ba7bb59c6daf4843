package im.loadtest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The node a scenario loads and how its clients reach it: the transport, the ports, how many set-up steps may be
 * in flight, and the local addresses to connect from (one address gives ~28,000 ephemeral ports towards one
 * server port; spread more connections over several {@code 127.0.0.x}). With several nodes, client {@code i} (sign-up,
 * connection and sync) goes to node {@code (firstIndex + i) mod n}: generator processes that share one run number their
 * clients on from one another's, so that together they spread over the nodes as one process would.
 */
record Target(String host, int httpPort, int tcpPort, String transport, int setupConcurrency,
              List<String> sourceAddresses, List<Node> nodes, int firstIndex) {

  /** One node of a cluster that clients connect to. */
  record Node(String host, int httpPort, int tcpPort) {

    /** {@code host:httpPort:tcpPort} */
    static Node parse(String spec) {
      String[] parts = spec.trim().split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("--nodes takes host:httpPort:tcpPort entries: " + spec);
      }
      try {
        return new Node(parts[0], Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--nodes takes host:httpPort:tcpPort entries: " + spec);
      }
    }

    @Override
    public String toString() {
      return host + ":" + httpPort + ":" + tcpPort;
    }
  }

  static final String USAGE = String.join("\n",
      "  --host=127.0.0.1     node to load",
      "  --http-port=8080     HTTP API and WebSocket port",
      "  --tcp-port=9000      TCP gateway port",
      "  --transport=ws       ws or tcp",
      "  --setup-concurrency=32  registrations, logins and connects in flight during setup",
      "  --source-addresses=  local addresses to connect from, comma-separated (default: any)",
      "  --nodes=             several nodes of one cluster, host:httpPort:tcpPort comma-separated: client i connects",
      "                       to node i mod n, so a pair's sender and peer sit on different nodes (default: the node",
      "                       above); its sign-up and sync go there too",
      "  --first-index=0      this process's clients are numbered from here (node = number mod n): generator",
      "                       processes sharing one run each take a slice, e.g. 0, 10000, 20000 for 10,000 each");

  static final List<String> FLAGS = List.of("host", "http-port", "tcp-port", "transport", "setup-concurrency",
      "source-addresses", "nodes", "first-index");

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
    String nodeList = given.string("nodes", "");
    List<Node> nodes = nodeList.isBlank()
        ? List.of(new Node(given.string("host", "127.0.0.1"), given.integer("http-port", 8080), given.integer("tcp-port", 9000)))
        : Stream.of(nodeList.split(",")).map(Node::parse).toList();
    Node first = nodes.get(0);
    Target target = new Target(first.host(), first.httpPort(), first.tcpPort(), given.string("transport", "ws"),
        given.integer("setup-concurrency", 32), sources.isBlank() ? List.of() : List.of(sources.split(",")), nodes,
        given.integer("first-index", 0));
    if (!target.transport.equals("ws") && !target.transport.equals("tcp")) {
      throw new IllegalArgumentException("--transport must be ws or tcp");
    }
    if (target.setupConcurrency < 1) {
      throw new IllegalArgumentException("--setup-concurrency must be >= 1");
    }
    if (target.firstIndex < 0) {
      throw new IllegalArgumentException("--first-index must be >= 0");
    }
    return target;
  }

  boolean overWebSocket() {
    return transport.equals("ws");
  }

  /** The node client {@code index} of this process signs up at, connects to and syncs from. */
  Node node(int index) {
    return nodes.get((firstIndex + index) % nodes.size());
  }

  /** host:port of the transport's endpoint, on every node. */
  String endpoint() {
    return nodes.stream().map(node -> node.host() + ":" + (overWebSocket() ? node.httpPort() : node.tcpPort()))
        .collect(Collectors.joining(","));
  }
}
