package im.testing;

/**
 * The PostgreSQL database every test of the build uses, on the local server. {@code -Dim.test.db=NAME}
 * (passed on by surefire from the Maven property) gives a branch under development a database of its own.
 * The node's own start-up creates and migrates it. Constants only: safe from any thread.
 */
public final class TestDatabase {

  public static final String NAME = System.getProperty("im.test.db", "im_test");

  /** In the {@code IM_PG_URL} form that both the in-process nodes and {@code Main} processes read. */
  public static final String URL = "postgresql://postgres@127.0.0.1:5432/" + NAME;

  private TestDatabase() {}
}
