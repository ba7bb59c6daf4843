package im.embedded;

/** An embedded server that cannot start or a data directory that is in use: its message is the node's one line of failure. */
public final class EmbeddedException extends RuntimeException {

  public EmbeddedException(String message) {
    super(message, null, false, false);
  }
}
