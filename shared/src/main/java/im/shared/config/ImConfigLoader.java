package im.shared.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Merges the node's settings: the {@code conf/im.json} defaults on the classpath (the only place defaults are
 * written), then an optional JSON file deep-merged over them, then the environment variables of
 * {@code docs/protocol.md §1}, which override both. Blocking file reads: call once at start, off any event loop.
 */
public final class ImConfigLoader {

  /** The environment variables of {@code docs/protocol.md §1} and the setting each overrides. */
  public static final Map<String, String> PATH_BY_VARIABLE = Map.ofEntries(
      Map.entry("IM_HTTP_PORT", "http.port"),
      Map.entry("IM_TCP_PORT", "tcp.port"),
      Map.entry("IM_NODE_ID", "node.id"),
      Map.entry("IM_CLUSTER_HOST", "cluster.host"),
      Map.entry("IM_CLUSTER_PORT", "cluster.port"),
      Map.entry("IM_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("IM_PG_URL", "pg.url"),
      Map.entry("IM_REDIS_URL", "redis.url"),
      Map.entry("IM_KAFKA_BOOTSTRAP", "kafka.bootstrap"),
      Map.entry("IM_KAFKA_PARTITIONS", "kafka.partitions"),
      Map.entry("IM_KAFKA_REPLICATION_FACTOR", "kafka.replicationFactor"),
      Map.entry("IM_JWT_SECRET", "jwt.secret"),
      Map.entry("IM_ADMIN_TOKEN", "admin.token"),
      Map.entry("IM_PUSH_WEBHOOK_URL", "push.webhookUrl"),
      Map.entry("IM_PUSH_WEBHOOK_SECRET", "push.webhookSecret"),
      Map.entry("IM_DATA_DIR", "embedded.dir"),
      Map.entry("IM_ICE_SERVERS", "calls.iceServers"));

  private static final Map<String, String> VARIABLE_BY_PATH = invert(PATH_BY_VARIABLE);
  private static final String DEFAULTS_RESOURCE = "conf/im.json";

  private ImConfigLoader() {}

  /** Defaults, then {@code file} (may be null), then {@code env}. */
  public static ImConfig load(Path file, Map<String, String> env) {
    JsonObject merged = defaults();
    boolean serversGiven = env.containsKey("IM_PG_URL") || env.containsKey("IM_REDIS_URL");
    if (file != null) {
      JsonObject fromFile = readFile(file);
      serversGiven |= namesServers(fromFile);
      merged.mergeIn(fromFile, true);
    }
    return read(applyEnv(merged, env), serversGiven);
  }

  /** Defaults with {@code overrides} deep-merged over them. */
  public static ImConfig of(JsonObject overrides) {
    return read(defaults().mergeIn(overrides, true), namesServers(overrides));
  }

  /** {@code config} with {@code pg.url} and {@code redis.url} replaced; whether embedded mode was wanted is kept. */
  static ImConfig withServers(ImConfig config, String pgUrl, String redisUrl) {
    JsonObject json = config.json().copy();
    json.getJsonObject("pg").put("url", pgUrl);
    json.getJsonObject("redis").put("url", redisUrl);
    return read(json, !config.embedded().wanted());
  }

  /** Whether a config object (a file, or a test's overrides) sets {@code pg.url} or {@code redis.url}. */
  private static boolean namesServers(JsonObject config) {
    return config.getValue("pg") instanceof JsonObject pg && pg.containsKey("url")
        || config.getValue("redis") instanceof JsonObject redis && redis.containsKey("url");
  }

  /** A fresh copy of {@code conf/im.json}. */
  public static JsonObject defaults() {
    try (InputStream in = ImConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("config: default " + DEFAULTS_RESOURCE + " is not on the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("config: cannot read default " + DEFAULTS_RESOURCE + ": " + e.getMessage());
    }
  }

  private static ImConfig read(JsonObject merged, boolean serversGiven) {
    return ImConfig.from(new ConfigReader(merged, VARIABLE_BY_PATH), merged, serversGiven);
  }

  private static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("config file " + file + ": cannot be read (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("config file " + file + ": not a JSON object");
    }
  }

  private static JsonObject applyEnv(JsonObject config, Map<String, String> env) {
    PATH_BY_VARIABLE.forEach((variable, path) -> {
      String value = env.get(variable);
      if (value != null) {
        String[] parts = path.split("\\.", 2);
        JsonObject section = config.getJsonObject(parts[0]);
        if (section == null) {
          section = new JsonObject();
          config.put(parts[0], section);
        }
        section.put(parts[1], value.trim());
      }
    });
    return config;
  }

  private static Map<String, String> invert(Map<String, String> map) {
    Map<String, String> inverted = new HashMap<>();
    map.forEach((key, value) -> inverted.put(value, key));
    return Map.copyOf(inverted);
  }
}
