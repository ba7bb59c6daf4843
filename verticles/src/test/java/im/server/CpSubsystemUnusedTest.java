package im.server;

import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reason {@code conf/logback.xml} may silence Hazelcast's "CP Subsystem ... UNSAFE mode" warning
 * (docs/architecture.md, "Hazelcast and the CP Subsystem"): no CP structure is used, neither by our code nor by the
 * vertx-hazelcast cluster manager, whose locks and counters must stay on IMaps.
 */
class CpSubsystemUnusedTest {

  private static final String CP_ENTRY_POINT = "getCPSubsystem";

  @Test
  void ourCodeUsesNoCpStructure() throws Exception {
    List<Path> sources = new ArrayList<>();
    try (var modules = Files.list(Path.of(".."))) {
      for (Path main : modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        try (var files = Files.walk(main)) {
          sources.addAll(files.filter(file -> file.toString().endsWith(".java")).toList());
        }
      }
    }
    assertTrue(sources.size() > 100, "found the sources of every module: " + sources.size());
    List<Path> users = new ArrayList<>();
    for (Path source : sources) {
      if (Files.readString(source).contains(CP_ENTRY_POINT)) {
        users.add(source);
      }
    }
    assertEquals(List.of(), users);
  }

  @Test
  void vertxHazelcastBuildsLocksAndCountersWithoutCp() throws Exception {
    Path jar = Path.of(HazelcastClusterManager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> users = new ArrayList<>();
    int classes = 0;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (var entry : zip.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
        classes++;
        try (var in = zip.getInputStream(entry)) {
          // A method a class calls is named in its constant pool as plain modified-UTF-8.
          if (new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains(CP_ENTRY_POINT)) {
            users.add(entry.getName());
          }
        }
      }
    }
    assertTrue(classes > 10, jar + " has " + classes + " classes");
    assertEquals(List.of(), users, jar.toString());
  }
}
