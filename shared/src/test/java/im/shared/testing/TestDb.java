package im.shared.testing;

import im.shared.config.ImConfig;
import im.shared.db.Database;
import im.testing.TestDatabase;
import io.vertx.core.json.JsonObject;

/** The shared test database on the local PostgreSQL, created and migrated once per JVM by the node's own code. */
public final class TestDb {

  private static ImConfig config;

  private TestDb() {}

  public static synchronized ImConfig config() {
    if (config == null) {
      ImConfig loaded = ImConfig.of(new JsonObject()
          .put("pg", new JsonObject().put("url", TestDatabase.URL).put("poolSize", 4))
          .put("redis", new JsonObject().put("url", TestDatabase.REDIS_URL))
          .put("security", new JsonObject().put("passwordIterations", 1000)));
      Database.prepare(loaded.pg());
      config = loaded;
    }
    return config;
  }
}
