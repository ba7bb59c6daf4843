package im.shared.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {

  private static ConfigReader reader(JsonObject section) {
    return new ConfigReader(new JsonObject().put("s", section), Map.of("s.port", "IM_S_PORT"));
  }

  private static String failure(Runnable read) {
    return assertThrows(ConfigException.class, read::run).getMessage();
  }

  @Test
  void numbersMayBeJsonNumbersOrStrings() {
    ConfigReader r = reader(new JsonObject().put("a", 5).put("b", " 7 ").put("c", 9.0));
    assertEquals(5, r.intAtLeast("s.a", 1));
    assertEquals(7L, r.longAtLeast("s.b", 1));
    assertEquals(9, r.intAtLeast("s.c", 1));
  }

  @Test
  void aBadTypeNamesTheSettingAndTheValue() {
    ConfigReader r = reader(new JsonObject().put("a", "ten").put("f", 1.5).put("b", "yes").put("o", new JsonObject()));
    assertEquals("s.a: must be a whole number, got 'ten'", failure(() -> r.longAtLeast("s.a", 0)));
    assertEquals("s.f: must be a whole number, got '1.5'", failure(() -> r.intAtLeast("s.f", 0)));
    assertEquals("s.b: must be true or false, got 'yes'", failure(() -> r.bool("s.b")));
    assertEquals("s.o: must be a non-empty string, got '{}'", failure(() -> r.string("s.o")));
    assertEquals("s.o: must be a string, got '{}'", failure(() -> r.optionalString("s.o")));
  }

  @Test
  void outOfRangeValuesAreRefused() {
    ConfigReader r = reader(new JsonObject().put("zero", 0).put("big", 3_000_000_000L).put("port", 70000)
        .put("instances", 2000));
    assertEquals("s.zero: must be at least 1, got 0", failure(() -> r.longAtLeast("s.zero", 1)));
    assertTrue(failure(() -> r.intAtLeast("s.big", 1)).startsWith("s.big: must be from 1 to 2147483647"));
    assertEquals("IM_S_PORT (s.port): must be from 0 to 65535, got 70000", failure(() -> r.port("s.port")));
    assertTrue(failure(() -> r.instances("s.instances")).startsWith("s.instances: must be from 0 to 1024"));
  }

  @Test
  void aMissingRequiredSettingIsNamedAndOptionalOnesAreEmpty() {
    ConfigReader r = new ConfigReader(new JsonObject(), Map.of("s.port", "IM_S_PORT"));
    assertEquals("IM_S_PORT (s.port): must be a whole number, got nothing", failure(() -> r.port("s.port")));
    assertEquals("s.name: must be a non-empty string, got nothing", failure(() -> r.string("s.name")));
    assertEquals("s.flag: must be true or false, got nothing", failure(() -> r.bool("s.flag")));
    assertEquals("", r.optionalString("s.name"));
    assertEquals(List.of(), r.stringList("s.list"));
    assertEquals(List.of(), r.hostPorts("s.members"));
  }

  @Test
  void blankRequiredStringsAreMissing() {
    assertEquals("s.name: must be a non-empty string, got ' '",
        failure(() -> reader(new JsonObject().put("name", " ")).string("s.name")));
  }

  @Test
  void instancesZeroMeansOnePerCore() {
    ConfigReader r = reader(new JsonObject().put("zero", 0).put("two", 2));
    assertEquals(Runtime.getRuntime().availableProcessors(), r.instances("s.zero"));
    assertEquals(2, r.instances("s.two"));
  }

  @Test
  void listsAndHostPorts() {
    ConfigReader r = reader(new JsonObject()
        .put("origins", new JsonArray().add("https://a").add("https://b"))
        .put("mixed", new JsonArray().add("x").add(1))
        .put("members", " a:1, b:2 ,")
        .put("memberArray", new JsonArray().add("c:3"))
        .put("badMember", "a:1,b"));
    assertEquals(List.of("https://a", "https://b"), r.stringList("s.origins"));
    assertEquals("s.mixed: must be an array of strings, got '[\"x\",1]'", failure(() -> r.stringList("s.mixed")));
    assertEquals(List.of("a:1", "b:2"), r.hostPorts("s.members"));
    assertEquals(List.of("c:3"), r.hostPorts("s.memberArray"));
    assertEquals("s.badMember: 'b' is not host:port", failure(() -> r.hostPorts("s.badMember")));
  }

  @Test
  void urlsMustUseOneOfTheSchemes() {
    ConfigReader r = reader(new JsonObject().put("ok", "rediss://h:1").put("bad", "http://h:1"));
    assertEquals("rediss://h:1", r.url("s.ok", "redis://host:port", "redis", "rediss"));
    assertEquals("s.bad: must look like redis://host:port",
        failure(() -> r.url("s.bad", "redis://host:port", "redis", "rediss")));
  }

  @Test
  void invalidNamesTheVariableWhenTheSettingHasOne() {
    ConfigReader r = reader(new JsonObject());
    assertEquals("IM_S_PORT (s.port): taken", r.invalid("s.port", "taken").getMessage());
    assertFalse(r.invalid("s.other", "x").getMessage().contains("IM_"));
  }
}
