package im.shared.config;

/** A setting that is missing or wrong. Its message names the setting and is printed as the node's one line of failure. */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
