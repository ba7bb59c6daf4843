package im.shared.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Typed, validated access to the settings of a merged config object by dotted path ({@code section.key}).
 * Every failure is a {@link ConfigException} in one style, {@code <setting>: <problem>, got <value>}, where the
 * setting is named by its environment variable too when it has one ({@code IM_HTTP_PORT (http.port)}).
 * Numbers may be JSON numbers or strings (environment variables are strings). Not thread-safe; used once at start.
 */
public final class ConfigReader {

  private final JsonObject json;
  private final Map<String, String> variableByPath;

  /** {@code variableByPath}: the environment variable that sets a path, for naming it in errors. */
  public ConfigReader(JsonObject json, Map<String, String> variableByPath) {
    this.json = json;
    this.variableByPath = variableByPath;
  }

  /** The failure of {@code path}, named the way every other failure is. */
  public ConfigException invalid(String path, String problem) {
    String variable = variableByPath.get(path);
    return new ConfigException((variable == null ? path : variable + " (" + path + ")") + ": " + problem);
  }

  /** A required non-blank string, trimmed. */
  public String string(String path) {
    Object value = raw(path);
    if (!(value instanceof String s) || s.isBlank()) {
      throw invalid(path, "must be a non-empty string, got " + describe(value));
    }
    return s.trim();
  }

  /** A string, trimmed, or {@code ""} when absent. */
  public String optionalString(String path) {
    Object value = raw(path);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw invalid(path, "must be a string, got " + describe(value));
    }
    return s.trim();
  }

  public long longAtLeast(String path, long min) {
    long value = wholeNumber(path);
    if (value < min) {
      throw invalid(path, "must be at least " + min + ", got " + value);
    }
    return value;
  }

  public int intAtLeast(String path, int min) {
    return intBetween(path, min, Integer.MAX_VALUE);
  }

  public int intBetween(String path, int min, int max) {
    long value = wholeNumber(path);
    if (value < min || value > max) {
      throw invalid(path, "must be from " + min + " to " + max + ", got " + value);
    }
    return (int) value;
  }

  /** 0 asks the system for a free port. */
  public int port(String path) {
    return intBetween(path, 0, 65535);
  }

  /** A count of verticle instances, at most 1024; 0 means one per core. */
  public int instances(String path) {
    int value = intBetween(path, 0, 1024);
    return value == 0 ? Runtime.getRuntime().availableProcessors() : value;
  }

  public boolean bool(String path) {
    Object value = raw(path);
    if (value instanceof Boolean b) {
      return b;
    }
    if ("true".equals(value) || "false".equals(value)) {
      return Boolean.parseBoolean((String) value);
    }
    throw invalid(path, "must be true or false, got " + describe(value));
  }

  /** An array of strings, or empty when absent. */
  public List<String> stringList(String path) {
    Object value = raw(path);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw invalid(path, "must be an array of strings, got " + describe(value));
    }
    return array.stream().map(String.class::cast).toList();
  }

  /**
   * An array of JSON objects, or empty when absent; a string holding such an array is read too (an environment
   * variable is a string).
   */
  public List<JsonObject> objectList(String path) {
    Object value = raw(path);
    if (value == null) {
      return List.of();
    }
    if (value instanceof String s) {
      if (s.isBlank()) {
        return List.of();
      }
      try {
        value = new JsonArray(s);
      } catch (DecodeException | ClassCastException e) {
        throw invalid(path, "must be a JSON array of objects, got " + describe(value));
      }
    }
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(JsonObject.class::isInstance)) {
      throw invalid(path, "must be a JSON array of objects, got " + describe(value));
    }
    return array.stream().map(JsonObject.class::cast).toList();
  }

  /** {@code host:port} items, from an array or a comma-separated string; empty when absent or blank. */
  public List<String> hostPorts(String path) {
    Object value = raw(path);
    List<String> items = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> items.add(String.valueOf(item).trim()));
    } else if (value instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          items.add(part.trim());
        }
      }
    } else if (value != null) {
      throw invalid(path, "must be host:port,host:port, got " + describe(value));
    }
    for (String item : items) {
      if (!isHostPort(item)) {
        throw invalid(path, "'" + item + "' is not host:port");
      }
    }
    return List.copyOf(items);
  }

  /** A required string that starts with {@code <scheme>://} for one of {@code schemes}. */
  public String url(String path, String example, String... schemes) {
    String url = string(path);
    for (String scheme : schemes) {
      if (url.startsWith(scheme + "://")) {
        return url;
      }
    }
    throw invalid(path, "must look like " + example);
  }

  private long wholeNumber(String path) {
    Object value = raw(path);
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (value instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException notANumber) {
        // reported below with the value
      }
    }
    throw invalid(path, "must be a whole number, got " + describe(value));
  }

  private static boolean isHostPort(String item) {
    int colon = item.lastIndexOf(':');
    if (colon <= 0) {
      return false;
    }
    try {
      int port = Integer.parseInt(item.substring(colon + 1));
      return port > 0 && port <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private Object raw(String path) {
    int dot = path.indexOf('.');
    Object section = json.getValue(path.substring(0, dot));
    return section instanceof JsonObject object ? object.getValue(path.substring(dot + 1)) : null;
  }

  private static String describe(Object value) {
    return value == null ? "nothing" : "'" + value + "'";
  }
}
