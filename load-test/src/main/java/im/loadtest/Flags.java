package im.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code --key=value} command-line flags of the tools in this module. */
final class Flags {

  private final Map<String, String> given;

  private Flags(Map<String, String> given) {
    this.given = given;
  }

  /** @throws IllegalArgumentException for an argument not of the form {@code --key=value} or a key not in {@code known} */
  static Flags parse(String[] args, Set<String> known) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("not --key=value: " + arg);
      }
      given.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    if (!known.containsAll(given.keySet())) {
      given.keySet().removeAll(known);
      throw new IllegalArgumentException("unknown option(s): " + given.keySet());
    }
    return new Flags(given);
  }

  String string(String key, String fallback) {
    return given.getOrDefault(key, fallback);
  }

  boolean has(String key) {
    return given.containsKey(key);
  }

  int integer(String key, int fallback) {
    String value = given.get(key);
    try {
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be a whole number: " + value);
    }
  }
}
