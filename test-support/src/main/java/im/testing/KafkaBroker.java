package im.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) in a JVM of its own, listening on a
 * free loopback port, its data in a temporary directory. The broker's jars are those the kafka-broker module copies
 * to {@code kafka-broker/target/kafka-libs} (surefire passes the directory as {@code im.test.kafka.libs}); they never
 * join a test classpath, where Kafka's Scala and Jackson would clash with the Vert.x stack's.
 *
 * <p>{@link #shared()} is the one broker of a test JVM, started on first use and stopped with the JVM: test classes
 * that only need a broker share it (a start takes seconds) and keep apart by topic, group and conversation ids. A
 * test that breaks its broker starts its own with {@link #start()} and closes it.
 *
 * <p>{@code java -cp test-support/target/classes im.testing.KafkaBroker} starts one by hand (after {@code mvn
 * package -pl kafka-broker}) and prints its bootstrap address until Ctrl-C.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final String LIBS = System.getProperty("im.test.kafka.libs", "kafka-broker/target/kafka-libs");
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final Duration STOP_LIMIT = Duration.ofSeconds(30);
  private static final String STARTED = "Kafka Server started";
  private static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");
  private static KafkaBroker shared;

  private final Path directory;
  private final Path properties;
  private final Path log;
  private final int port;
  private Process process;

  private KafkaBroker(Path directory, int port, int controllerPort) throws IOException {
    this.directory = directory;
    this.port = port;
    this.properties = directory.resolve("server.properties");
    this.log = directory.resolve("broker.log");
    Files.writeString(properties, serverProperties(directory.resolve("data"), port, controllerPort));
    Files.writeString(directory.resolve("log4j.properties"), """
        log4j.rootLogger=INFO, stdout
        log4j.appender.stdout=org.apache.log4j.ConsoleAppender
        log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
        log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
        """);
  }

  /** A broker of its own, formatted and started; {@link #close()} stops it and deletes its data. */
  public static KafkaBroker start() {
    Path directory = null;
    try {
      directory = Files.createTempDirectory("im-kafka-");
      KafkaBroker broker = new KafkaBroker(directory, freePort(), freePort());
      broker.format();
      broker.launch();
      return broker;
    } catch (IOException e) {
      deleteTree(directory);
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      deleteTree(directory);
      throw e;
    }
  }

  /** The broker every test class of this JVM shares; closed when the JVM exits. */
  public static synchronized KafkaBroker shared() {
    if (shared == null) {
      shared = start();
      KafkaBroker broker = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "im-kafka-broker-stop"));
    }
    return shared;
  }

  /** {@code 127.0.0.1:port}, what {@code IM_KAFKA_BOOTSTRAP} and Kafka clients take. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Where its configuration, log and data are; deleted by {@link #close()}. */
  Path directory() {
    return directory;
  }

  /** Kills the broker as a crash would; its data and port stay for {@link #restart()}. */
  public synchronized void stop() {
    if (process != null) {
      process.destroyForcibly();
      waitForExit(process);
      process = null;
    }
  }

  /** Starts the stopped broker again on the same port with the same data. */
  public synchronized void restart() {
    if (process == null) {
      launch();
    }
  }

  /** Stops the broker and deletes its directory. */
  @Override
  public synchronized void close() {
    stop();
    deleteTree(directory);
  }

  private void format() {
    Process formatting = java("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", properties.toString());
    if (waitForExit(formatting) != 0) {
      throw new IllegalStateException("formatting the Kafka storage failed:\n" + tail());
    }
  }

  private synchronized void launch() {
    long logStart = log.toFile().length();
    process = java("kafka.Kafka", properties.toString());
    try {
      Poll.until(() -> started(logStart) || !process.isAlive(), START_LIMIT, "the Kafka broker to start");
    } catch (AssertionError timedOut) {
      // reported below with the broker's log
    }
    if (!started(logStart)) {
      stop();
      throw new IllegalStateException("the Kafka broker did not start within " + START_LIMIT.toSeconds()
          + " s; its log ends:\n" + tail());
    }
  }

  private Process java(String mainClass, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-Dlog4j.configuration=" + directory.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(Path.of(LIBS).toAbsolutePath() + "/*");
    command.add(mainClass);
    command.addAll(List.of(arguments));
    try {
      return new ProcessBuilder(command)
          .directory(directory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run java for " + mainClass, e);
    }
  }

  private boolean started(long logStart) {
    try {
      byte[] written = Files.readAllBytes(log);
      int from = (int) Math.min(logStart, written.length);
      return new String(written, from, written.length - from, StandardCharsets.UTF_8).contains(STARTED);
    } catch (IOException notYetWritten) {
      return false;
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static String serverProperties(Path data, int port, int controllerPort) {
    return String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + data,
        // One broker: the internal topics cannot have more replicas than that.
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        // A consumer group's first member gets its partitions at once instead of after 3 s.
        "group.initial.rebalance.delay.ms=0",
        "");
  }

  /** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (the CLI reads an option). */
  private static String clusterId() {
    byte[] bytes = new byte[16];
    String id;
    do {
      new SecureRandom().nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static int waitForExit(Process process) {
    try {
      if (!process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return process.waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a Kafka process", e);
    }
  }

  private static void deleteTree(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException leftForTheSystem) {
      // a temporary directory: the system cleans it up if this did not
    }
  }

  public static void main(String[] arguments) throws InterruptedException {
    KafkaBroker broker = start();
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "im-kafka-broker-stop"));
    System.out.println("Kafka broker at " + broker.bootstrap() + " (data in " + broker.directory + "); Ctrl-C stops it");
    Thread.currentThread().join();
  }
}
