package im.shared.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImConfigLoaderTest {

  @TempDir
  Path dir;

  private Path file(String json) throws Exception {
    Path file = dir.resolve("im.json");
    Files.writeString(file, json);
    return file;
  }

  @Test
  void theDefaultsComeFromConfImJson() {
    ImConfig config = ImConfig.load(null, Map.of());
    JsonObject defaults = ImConfig.defaults();
    assertEquals(defaults.getJsonObject("http").getInteger("port"), config.http().port());
    assertEquals(defaults.getJsonObject("groups").getInteger("maxMembers"), config.groups().maxMembers());
    assertEquals(defaults.getJsonObject("rooms").getInteger("historyLimit"), config.groups().roomHistoryLimit());
    assertEquals(defaults.getJsonObject("typing").getLong("minIntervalMs"), config.groups().typingIntervalMs());
    assertEquals(defaults.getJsonObject("presence").getLong("graceMs"), config.presence().graceMs());
    assertEquals(defaults.getJsonObject("presence").getLong("minIntervalMs"), config.presence().minIntervalMs());
    assertEquals(defaults.getJsonObject("presence").getLong("statusTtlMs"), config.presence().statusTtlMs());
    assertEquals("", config.nodeId());
    assertEquals(List.of(), config.cluster().members());
  }

  @Test
  void theFileOverridesTheDefaultsKeyByKey() throws Exception {
    ImConfig config = ImConfig.load(file("""
        { "http": { "port": 8181 }, "presence": { "graceMs": 0 }, "groups": { "maxMembers": 3 } }"""), Map.of());
    assertEquals(8181, config.http().port());
    assertEquals("0.0.0.0", config.http().host(), "a section is merged, not replaced");
    assertEquals(0, config.presence().graceMs());
    assertEquals(ImConfig.defaults().getJsonObject("presence").getLong("minIntervalMs"), config.presence().minIntervalMs());
    assertEquals(3, config.groups().maxMembers());
  }

  @Test
  void theEnvironmentOverridesTheFile() throws Exception {
    ImConfig config = ImConfig.load(file("""
        { "http": { "port": 8181 }, "tcp": { "port": 9191 }, "node": { "id": "from-file" } }"""),
        Map.of("IM_HTTP_PORT", " 8282 ", "IM_NODE_ID", "from-env", "IM_CLUSTER_MEMBERS", "a:1,b:2",
            "IM_PG_URL", "postgresql://u:pw@db:6543/chat", "UNRELATED", "x"));
    assertEquals(8282, config.http().port());
    assertEquals(9191, config.tcp().port(), "the file still counts where no variable is set");
    assertEquals("from-env", config.nodeId());
    assertEquals(List.of("a:1", "b:2"), config.cluster().members());
    assertEquals(new ImConfig.Pg("db", 6543, "chat", "u", "pw", 8), config.pg());
  }

  @Test
  void embeddedModeIsWantedOnlyWhenTheOperatorNamedNeitherServer() throws Exception {
    ImConfig none = ImConfig.load(file("{ \"http\": { \"port\": 8181 } }"), Map.of());
    assertTrue(none.embedded().wanted(), "the URLs of conf/im.json are defaults, not the operator's choice");
    assertEquals(Path.of("./im-data"), none.embedded().dir());
    assertFalse(ImConfig.load(null, Map.of("IM_PG_URL", "postgresql://db/im")).embedded().wanted());
    assertFalse(ImConfig.load(null, Map.of("IM_REDIS_URL", "redis://cache:6379")).embedded().wanted());
    assertFalse(ImConfig.load(file("{ \"redis\": { \"url\": \"redis://cache:6379\" } }"), Map.of()).embedded().wanted());
    assertFalse(ImConfig.load(file("{ \"pg\": { \"url\": \"postgresql://db/im\" } }"), Map.of()).embedded().wanted());
    assertEquals(Path.of("/var/lib/im"), ImConfig.load(null, Map.of("IM_DATA_DIR", "/var/lib/im")).embedded().dir());
  }

  @Test
  void theEmbeddedServersReplaceTheDefaultedUrls() {
    ImConfig config = ImConfig.load(null, Map.of("IM_HTTP_PORT", "8383"))
        .withServers("postgresql://postgres@127.0.0.1:4444/im", "redis://127.0.0.1:5555");
    assertEquals(new ImConfig.Pg("127.0.0.1", 4444, "im", "postgres", null, 8), config.pg());
    assertEquals("redis://127.0.0.1:5555", config.redis().url());
    assertEquals(8383, config.http().port(), "every other setting stays");
    assertTrue(config.embedded().wanted());
  }

  @Test
  void aWrongVariableIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> ImConfig.load(null, Map.of("IM_HTTP_PORT", "eighty")));
    assertEquals("IM_HTTP_PORT (http.port): must be a whole number, got 'eighty'", e.getMessage());
    e = assertThrows(ConfigException.class, () -> ImConfig.load(null, Map.of("IM_PG_URL", "mysql://h/db")));
    assertTrue(e.getMessage().startsWith("IM_PG_URL (pg.url): must look like postgresql://"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> ImConfig.load(null, Map.of("IM_JWT_SECRET", "short")));
    assertEquals("IM_JWT_SECRET (jwt.secret): must be at least 16 characters", e.getMessage());
  }

  @Test
  void wrongGroupAndPresenceSettingsAreNamed() {
    assertEquals("groups.maxMembers: must be from 1 to 2147483647, got 0", assertThrows(ConfigException.class,
        () -> ImConfig.of(new JsonObject().put("groups", new JsonObject().put("maxMembers", 0)))).getMessage());
    assertEquals("presence.graceMs: must be at least 0, got -1", assertThrows(ConfigException.class,
        () -> ImConfig.of(new JsonObject().put("presence", new JsonObject().put("graceMs", -1)))).getMessage());
    assertEquals("typing.minIntervalMs: must be a whole number, got 'soon'", assertThrows(ConfigException.class,
        () -> ImConfig.of(new JsonObject().put("typing", new JsonObject().put("minIntervalMs", "soon")))).getMessage());
  }

  @Test
  void thePushVariablesConfigureTheWebhookAndABadUrlIsNamed() {
    ImConfig.Push off = ImConfig.load(null, Map.of()).push();
    assertEquals(false, off.enabled());
    ImConfig.Push push = ImConfig.load(null, Map.of("IM_PUSH_WEBHOOK_URL", " https://push.example/hook ",
        "IM_PUSH_WEBHOOK_SECRET", "k3y")).push();
    assertEquals(true, push.enabled());
    assertEquals("https://push.example/hook", push.webhookUrl());
    assertEquals("k3y", push.webhookSecret());
    assertEquals(ImConfig.defaults().getJsonObject("push").getInteger("queueSize"), push.queueSize());
    ConfigException e = assertThrows(ConfigException.class,
        () -> ImConfig.load(null, Map.of("IM_PUSH_WEBHOOK_URL", "ftp://push.example/hook")));
    assertTrue(e.getMessage().startsWith("IM_PUSH_WEBHOOK_URL (push.webhookUrl): must look like http"), e.getMessage());
  }

  @Test
  void aFileThatIsNotJsonIsNamed() throws Exception {
    Path file = file("{ not json");
    ConfigException e = assertThrows(ConfigException.class, () -> ImConfig.load(file, Map.of()));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    Path missing = dir.resolve("missing.json");
    e = assertThrows(ConfigException.class, () -> ImConfig.load(missing, Map.of()));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void iceServersComeFromTheFileOrTheEnvironmentAndABadOneIsNamed() throws Exception {
    ImConfig.Calls none = ImConfig.load(null, Map.of()).calls();
    assertEquals(List.of(), none.iceServers());
    assertEquals(ImConfig.defaults().getJsonObject("calls").getLong("ringTimeoutMs"), none.ringTimeoutMs());
    ImConfig.Calls fromFile = ImConfig.load(file("""
        { "calls": { "iceServers": [ { "urls": ["stun:a:3478", "stun:b:3478"] } ], "ringTimeoutMs": 1000 } }"""), Map.of())
        .calls();
    assertEquals(2, fromFile.iceServers().get(0).getJsonArray("urls").size());
    assertEquals(1000, fromFile.ringTimeoutMs());
    ImConfig.Calls fromEnv = ImConfig.load(null, Map.of("IM_ICE_SERVERS",
        "[{\"urls\":\"turn:t:3478\",\"username\":\"u\",\"credential\":\"c\"}]")).calls();
    assertEquals(new JsonObject().put("urls", "turn:t:3478").put("username", "u").put("credential", "c"),
        fromEnv.iceServers().get(0));
    ConfigException e = assertThrows(ConfigException.class,
        () -> ImConfig.load(null, Map.of("IM_ICE_SERVERS", "[{\"username\":\"u\"}]")));
    assertTrue(e.getMessage().startsWith("IM_ICE_SERVERS (calls.iceServers): each entry must be"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> ImConfig.load(null, Map.of("IM_ICE_SERVERS", "stun:a")));
    assertTrue(e.getMessage().startsWith("IM_ICE_SERVERS (calls.iceServers): must be a JSON array"), e.getMessage());
  }
}
