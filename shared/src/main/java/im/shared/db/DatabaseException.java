package im.shared.db;

/** The database could not be reached, created or migrated. Its message is the node's one line of failure; it never holds a password. */
public class DatabaseException extends RuntimeException {

  public DatabaseException(String message) {
    super(message, null, false, false);
  }
}
