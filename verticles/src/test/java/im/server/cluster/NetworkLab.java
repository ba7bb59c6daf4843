package im.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for nodes that a test cuts off and reconnects ({@code ip netns}, veth pairs, two bridges; needs
 * root). Each namespace has two links: {@code data0} on the data bridge, where clients, PostgreSQL and Redis are
 * reached, and {@code clus0} on the cluster bridge, which carries Hazelcast and the event bus. {@link #cut} takes a
 * namespace's cluster link down: the member loses the cluster and nothing else, the split that lets both sides
 * serve. The host holds {@code .1} on both bridges; namespace {@code i} (from 1) holds {@code .(10 + i)}.
 * Used from the test thread; {@link #close} removes everything it made.
 */
final class NetworkLab implements AutoCloseable {

  private final String tag;
  private final String dataNet;
  private final String clusterNet;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> bridges = new ArrayList<>();

  private NetworkLab() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    tag = Integer.toString(random.nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    int second = random.nextInt(64, 128);
    int third = random.nextInt(0, 127) * 2;
    dataNet = "10." + second + "." + third + ".";
    clusterNet = "10." + second + "." + (third + 1) + ".";
  }

  /** Null (with the reason printed) when this machine cannot make namespaces: not root, or no {@code ip netns}. */
  static NetworkLab createOrNull(int namespaceCount) {
    if (!"root".equals(System.getProperty("user.name")) || !FreePorts.onPath("ip")) {
      return null;
    }
    NetworkLab lab = new NetworkLab();
    try {
      lab.bridge("d", lab.dataNet);
      lab.bridge("c", lab.clusterNet);
      for (int i = 1; i <= namespaceCount; i++) {
        lab.addNamespace(i);
      }
      return lab;
    } catch (Exception e) {
      System.out.println("network namespaces unavailable: " + e.getMessage());
      lab.close();
      return null;
    }
  }

  /** The host's address on the data bridge: where PostgreSQL and Redis listen for the namespaced nodes. */
  String hostDataAddress() {
    return dataNet + "1";
  }

  /** The host's address on the cluster bridge: where an in-process node binds Hazelcast. */
  String hostClusterAddress() {
    return clusterNet + "1";
  }

  String dataAddress(int namespace) {
    return dataNet + (10 + namespace);
  }

  String clusterAddress(int namespace) {
    return clusterNet + (10 + namespace);
  }

  String namespace(int namespace) {
    return namespaces.get(namespace - 1);
  }

  /** The member in {@code namespace} loses the cluster link: its packets and those to it are dropped. */
  void cut(int namespace) throws IOException, InterruptedException {
    ip("-n", namespace(namespace), "link", "set", "clus0", "down");
  }

  void heal(int namespace) throws IOException, InterruptedException {
    ip("-n", namespace(namespace), "link", "set", "clus0", "up");
  }

  private void bridge(String kind, String net) throws IOException, InterruptedException {
    String name = "imf" + tag + kind;
    ip("link", "add", name, "type", "bridge");
    bridges.add(name);
    ip("addr", "add", net + "1/24", "dev", name);
    ip("link", "set", name, "up");
  }

  private void addNamespace(int i) throws IOException, InterruptedException {
    String namespace = "imf" + tag + "n" + i;
    ip("netns", "add", namespace);
    namespaces.add(namespace);
    ip("-n", namespace, "link", "set", "lo", "up");
    link(namespace, "imf" + tag + "d" + i, "data0", bridges.get(0), dataAddress(i));
    link(namespace, "imf" + tag + "c" + i, "clus0", bridges.get(1), clusterAddress(i));
  }

  private void link(String namespace, String hostSide, String inside, String bridge, String address)
      throws IOException, InterruptedException {
    ip("link", "add", hostSide, "type", "veth", "peer", "name", inside, "netns", namespace);
    ip("link", "set", hostSide, "master", bridge, "up");
    ip("-n", namespace, "addr", "add", address + "/24", "dev", inside);
    ip("-n", namespace, "link", "set", inside, "up");
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }

  /** Deleting a namespace deletes its veth ends, and with them the host ends. */
  @Override
  public void close() {
    for (String name : namespaces) {
      quietly("netns", "delete", name);
    }
    for (String name : bridges) {
      quietly("link", "delete", name);
    }
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (Exception e) {
      System.out.println("network lab clean-up: " + e.getMessage());
    }
  }
}
