package im.server.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL 15 cluster of one test's own (the machine's {@code /usr/lib/postgresql/15/bin}, trust authentication
 * for user {@code postgres}), which the test may stop and start again on the same address: the shared server of the
 * build is never touched. PostgreSQL refuses to run as root, so as root every command runs as user
 * {@code postgres} ({@code runuser}). Used from the test thread.
 */
final class PrivatePostgres implements AutoCloseable {

  private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  final String host;
  final int port;
  private final Path directory;
  private final Path data;

  private PrivatePostgres(String host, int port, Path directory) {
    this.host = host;
    this.port = port;
    this.directory = directory;
    this.data = directory.resolve("data");
  }

  static boolean installed() {
    return Files.isExecutable(BIN.resolve("pg_ctl")) && (!ROOT || FreePorts.onPath("runuser"));
  }

  static PrivatePostgres start(String host) throws IOException, InterruptedException {
    PrivatePostgres postgres = new PrivatePostgres(host, FreePorts.pick(host), Files.createTempDirectory("im-private-pg-"));
    if (ROOT) {
      UserPrincipal owner = postgres.directory.getFileSystem().getUserPrincipalLookupService()
          .lookupPrincipalByName("postgres");
      Files.setOwner(postgres.directory, owner);
    }
    postgres.run(List.of(BIN.resolve("initdb").toString(), "-D", postgres.data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"));
    // initdb trusts loopback only; nodes in network namespaces connect from their own addresses.
    Files.writeString(postgres.data.resolve("pg_hba.conf"), "host all all 0.0.0.0/0 trust\n", StandardOpenOption.APPEND);
    postgres.start();
    return postgres;
  }

  /** The {@code IM_PG_URL} of {@code database}; the node creates it. */
  String url(String database) {
    return "postgresql://postgres@" + host + ":" + port + "/" + database;
  }

  void start() throws IOException, InterruptedException {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", directory.resolve("postgres.log").toString(),
        "-w", "-t", "60", "-o", "-p " + port + " -c listen_addresses=" + host + " -k " + directory + " -c fsync=off",
        "start"));
  }

  /** A fast shutdown: open connections are cut, the server is gone until {@link #start}. */
  void stop() throws IOException, InterruptedException {
    run(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (ROOT) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Path output = Files.createTempFile("im-private-pg-command-", ".log");
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " failed: " + Files.readString(output, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  @Override
  public void close() throws Exception {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      stop();
    }
    FreePorts.deleteTree(directory);
  }
}
