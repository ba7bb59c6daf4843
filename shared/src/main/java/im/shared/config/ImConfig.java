package im.shared.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The node's whole configuration, read once at start: {@code conf/im.json} defaults from the classpath,
 * then an optional JSON file, then the environment variables of PROTOCOL §1. Every value is validated
 * here, so a wrong setting stops the node with one line naming it.
 */
public record ImConfig(
    String nodeId,
    Http http,
    Tcp tcp,
    Realtime realtime,
    Cluster cluster,
    Pg pg,
    Redis redis,
    String kafkaBootstrap,
    Jwt jwt,
    String adminToken,
    Messages messages,
    boolean requireFriendship,
    long mediaMaxBytes,
    int passwordIterations,
    long drainTimeoutMs,
    JsonObject json) {

  public record Http(String host, int port, int instances, List<String> allowedOrigins) {}

  public record Tcp(String host, int port, int instances) {}

  public record Realtime(
      int maxFrameBytes,
      long authTimeoutMs,
      long heartbeatMs,
      long tcpIdleTimeoutMs,
      long wsPingIntervalMs,
      int maxDevices,
      long resendIntervalMs,
      int maxResends,
      int resendWindow,
      long writeQueueMaxFullMs,
      int sendsPerSecond,
      int sendBurst) {}

  /** {@code members} is empty for a single node. */
  public record Cluster(String name, String host, int port, List<String> members) {}

  public record Pg(String host, int port, String database, String user, String password, int poolSize) {}

  public record Redis(String url) {}

  /** {@code secret} is empty when none was configured: the node then generates one and warns. */
  public record Jwt(String secret, long ttlSeconds) {}

  public record Messages(
      int instances,
      int batchMaxRows,
      long batchMaxDelayMs,
      long recallWindowMs,
      int cmidCacheSize,
      long ownerTimeoutMs) {}

  /** The environment variables of PROTOCOL §1 and the config path each overrides. */
  private static final Map<String, String> ENV_TO_PATH = Map.ofEntries(
      Map.entry("IM_HTTP_PORT", "http.port"),
      Map.entry("IM_TCP_PORT", "tcp.port"),
      Map.entry("IM_NODE_ID", "node.id"),
      Map.entry("IM_CLUSTER_HOST", "cluster.host"),
      Map.entry("IM_CLUSTER_PORT", "cluster.port"),
      Map.entry("IM_CLUSTER_MEMBERS", "cluster.members"),
      Map.entry("IM_PG_URL", "pg.url"),
      Map.entry("IM_REDIS_URL", "redis.url"),
      Map.entry("IM_KAFKA_BOOTSTRAP", "kafka.bootstrap"),
      Map.entry("IM_JWT_SECRET", "jwt.secret"),
      Map.entry("IM_ADMIN_TOKEN", "admin.token"));

  private static final String DEFAULTS_RESOURCE = "conf/im.json";

  /** Defaults, then {@code file} (may be null), then {@code env}. */
  public static ImConfig load(Path file, Map<String, String> env) {
    JsonObject merged = defaults();
    if (file != null) {
      merged.mergeIn(readFile(file), true);
    }
    return from(applyEnv(merged, env));
  }

  /** Defaults with {@code overrides} deep-merged over them: what tests and embedders use. */
  public static ImConfig of(JsonObject overrides) {
    return from(defaults().mergeIn(overrides, true));
  }

  public static JsonObject defaults() {
    try (InputStream in = ImConfig.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("config: default " + DEFAULTS_RESOURCE + " is not on the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("config: cannot read default " + DEFAULTS_RESOURCE + ": " + e.getMessage());
    }
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
    ENV_TO_PATH.forEach((name, path) -> {
      String value = env.get(name);
      if (value != null) {
        String[] parts = path.split("\\.");
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

  private static ImConfig from(JsonObject json) {
    Reader r = new Reader(json);
    int cores = Runtime.getRuntime().availableProcessors();
    return new ImConfig(
        r.string("node.id", "IM_NODE_ID", true),
        new Http(
            r.string("http.host", null, false),
            r.port("http.port", "IM_HTTP_PORT"),
            r.instances("http.instances", cores),
            r.stringList("http.allowedOrigins")),
        new Tcp(
            r.string("tcp.host", null, false),
            r.port("tcp.port", "IM_TCP_PORT"),
            r.instances("tcp.instances", cores)),
        new Realtime(
            (int) r.positive("realtime.maxFrameBytes"),
            r.positive("realtime.authTimeoutMs"),
            r.positive("realtime.heartbeatMs"),
            r.positive("realtime.tcpIdleTimeoutMs"),
            r.positive("realtime.wsPingIntervalMs"),
            (int) r.positive("realtime.maxDevices"),
            r.positive("realtime.resendIntervalMs"),
            (int) r.nonNegative("realtime.maxResends"),
            (int) r.positive("realtime.resendWindow"),
            r.positive("realtime.writeQueueMaxFullMs"),
            (int) r.positive("realtime.sendsPerSecond"),
            (int) r.positive("realtime.sendBurst")),
        new Cluster(
            r.string("cluster.name", null, false),
            r.string("cluster.host", "IM_CLUSTER_HOST", false),
            r.port("cluster.port", "IM_CLUSTER_PORT"),
            r.members("cluster.members", "IM_CLUSTER_MEMBERS")),
        r.pg("pg.url", "IM_PG_URL", (int) r.positive("pg.poolSize")),
        new Redis(r.redisUrl("redis.url", "IM_REDIS_URL")),
        r.string("kafka.bootstrap", "IM_KAFKA_BOOTSTRAP", true),
        new Jwt(r.jwtSecret("jwt.secret", "IM_JWT_SECRET"), r.positive("jwt.ttlSeconds")),
        r.string("admin.token", "IM_ADMIN_TOKEN", true),
        new Messages(
            r.instances("messages.instances", cores),
            (int) r.positive("messages.batchMaxRows"),
            r.nonNegative("messages.batchMaxDelayMs"),
            r.positive("messages.recallWindowMs"),
            (int) r.positive("messages.cmidCacheSize"),
            r.positive("messages.ownerTimeoutMs")),
        r.bool("p2p.requireFriendship"),
        r.positive("media.maxBytes"),
        (int) r.positive("security.passwordIterations"),
        r.positive("shutdown.drainTimeoutMs"),
        json);
  }

  /** Typed, validating access to dotted paths; every failure names the setting (and its variable). */
  private static final class Reader {
    private final JsonObject json;

    Reader(JsonObject json) {
      this.json = json;
    }

    private Object raw(String path) {
      String[] parts = path.split("\\.");
      Object section = json.getValue(parts[0]);
      if (!(section instanceof JsonObject object)) {
        return null;
      }
      return object.getValue(parts[1]);
    }

    private static String name(String path, String env) {
      return env == null ? path : env + " (" + path + ")";
    }

    String string(String path, String env, boolean emptyAllowed) {
      Object value = raw(path);
      if (value == null && emptyAllowed) {
        return "";
      }
      if (!(value instanceof String s) || (!emptyAllowed && s.isBlank())) {
        throw new ConfigException(name(path, env) + ": must be a non-empty string, got " + value);
      }
      return s.trim();
    }

    long number(String path, String env) {
      Object value = raw(path);
      if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        return n.longValue();
      }
      if (value instanceof String s) {
        try {
          return Long.parseLong(s.trim());
        } catch (NumberFormatException ignored) {
          // reported below
        }
      }
      throw new ConfigException(name(path, env) + ": must be a whole number, got " + (value == null ? "nothing" : "'" + value + "'"));
    }

    long positive(String path) {
      long value = number(path, null);
      if (value <= 0) {
        throw new ConfigException(path + ": must be greater than 0, got " + value);
      }
      return value;
    }

    long nonNegative(String path) {
      long value = number(path, null);
      if (value < 0) {
        throw new ConfigException(path + ": must be 0 or more, got " + value);
      }
      return value;
    }

    int port(String path, String env) {
      long value = number(path, env);
      if (value < 0 || value > 65535) {
        throw new ConfigException(name(path, env) + ": must be a port number 0-65535, got " + value);
      }
      return (int) value;
    }

    /** 0 means one per core. */
    int instances(String path, int cores) {
      long value = nonNegative(path);
      if (value > 1024) {
        throw new ConfigException(path + ": must be at most 1024, got " + value);
      }
      return value == 0 ? cores : (int) value;
    }

    boolean bool(String path) {
      Object value = raw(path);
      if (value instanceof Boolean b) {
        return b;
      }
      if ("true".equals(value) || "false".equals(value)) {
        return Boolean.parseBoolean((String) value);
      }
      throw new ConfigException(path + ": must be true or false, got " + value);
    }

    List<String> stringList(String path) {
      Object value = raw(path);
      if (value == null) {
        return List.of();
      }
      if (!(value instanceof JsonArray array)) {
        throw new ConfigException(path + ": must be an array of strings, got " + value);
      }
      List<String> list = new ArrayList<>();
      for (Object item : array) {
        if (!(item instanceof String s)) {
          throw new ConfigException(path + ": must be an array of strings, got " + value);
        }
        list.add(s);
      }
      return List.copyOf(list);
    }

    List<String> members(String path, String env) {
      Object value = raw(path);
      List<String> members = new ArrayList<>();
      if (value instanceof JsonArray array) {
        array.forEach(item -> members.add(String.valueOf(item).trim()));
      } else if (value instanceof String s) {
        for (String part : s.split(",")) {
          if (!part.isBlank()) {
            members.add(part.trim());
          }
        }
      } else if (value != null) {
        throw new ConfigException(name(path, env) + ": must be host:port,host:port, got " + value);
      }
      for (String member : members) {
        int colon = member.lastIndexOf(':');
        boolean valid = colon > 0;
        if (valid) {
          try {
            int port = Integer.parseInt(member.substring(colon + 1));
            valid = port > 0 && port <= 65535;
          } catch (NumberFormatException e) {
            valid = false;
          }
        }
        if (!valid) {
          throw new ConfigException(name(path, env) + ": '" + member + "' is not host:port");
        }
      }
      return List.copyOf(members);
    }

    Pg pg(String path, String env, int poolSize) {
      String url = string(path, env, false);
      URI uri;
      try {
        uri = new URI(url);
      } catch (Exception e) {
        throw new ConfigException(name(path, env) + ": not a URL: " + url.replaceAll("//[^@/]*@", "//***@"));
      }
      if (!("postgresql".equals(uri.getScheme()) || "postgres".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new ConfigException(name(path, env) + ": must look like postgresql://[user[:password]@]host[:port]/database");
      }
      String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "im" : uri.getPath().substring(1);
      String user = "postgres";
      String password = null;
      if (uri.getUserInfo() != null) {
        String[] userInfo = uri.getUserInfo().split(":", 2);
        user = userInfo[0];
        password = userInfo.length > 1 ? userInfo[1] : null;
      }
      return new Pg(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password, poolSize);
    }

    String redisUrl(String path, String env) {
      String url = string(path, env, false);
      if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
        throw new ConfigException(name(path, env) + ": must look like redis://host:port");
      }
      return url;
    }

    String jwtSecret(String path, String env) {
      String secret = string(path, env, true);
      if (!secret.isEmpty() && secret.length() < 16) {
        throw new ConfigException(name(path, env) + ": must be at least 16 characters");
      }
      return secret;
    }
  }
}
