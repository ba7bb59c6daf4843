package im.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import im.protocol.client.HttpResult;
import im.protocol.client.ImHttp;
import im.server.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static im.server.TestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real responses of a running node validate against docs/openapi.json: every route is called (successes and
 * typical errors), and each answer's status must be one the document lists for that operation, and its JSON body must
 * match that response's schema (JSON Schema 2020-12, checked by networknt json-schema-validator).
 */
@TestInstance(Lifecycle.PER_CLASS)
class OpenApiResponsesTest {

  private static final String ADMIN = "openapi-admin-token";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private final JsonObject doc = OpenApiDocument.load();
  private final List<String> failures = new ArrayList<>();
  private final Set<String> checked = new TreeSet<>();
  private TestNode node;
  private ImHttp http;

  @BeforeAll
  void start() {
    node = TestNode.start(new JsonObject().put("admin", new JsonObject().put("token", ADMIN)));
    http = node.http();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void everyRouteAnswersAsDocumented() {
    String api = ApiRouter.API;
    check("POST", api + "/auth/register", http.post(api + "/auth/register", null,
        new JsonObject().put("username", "oa_" + System.nanoTime()).put("password", "password-123")));
    TestNode.User alice = await(node.newUser());
    TestNode.User bob = await(node.newUser());
    TestNode.User carol = await(node.newUser());
    check("POST", api + "/auth/login", http.post(api + "/auth/login", null,
        new JsonObject().put("username", alice.username()).put("password", "wrong-password")));
    check("POST", api + "/auth/register", http.post(api + "/auth/register", null,
        new JsonObject().put("username", alice.username()).put("password", "password-123")));
    String a = alice.token();

    check("GET", api + "/users/me", http.get(api + "/users/me", a));
    check("GET", api + "/users/me", http.get(api + "/users/me", null));
    check("PATCH", api + "/users/me", http.patch(api + "/users/me", a, new JsonObject().put("displayName", "Alice")));
    check("GET", api + "/users/{uid}", http.get(api + "/users/" + bob.uid(), a));
    check("GET", api + "/users/{uid}", http.get(api + "/users/nobody", a));
    check("GET", api + "/users", http.get(api + "/users?username=" + bob.username(), a));

    JsonObject request = check("POST", api + "/friends/requests", http.post(api + "/friends/requests", a,
        new JsonObject().put("to", bob.uid()).put("message", "hi")));
    check("GET", api + "/friends/requests", http.get(api + "/friends/requests", bob.token()));
    JsonObject accepted = check("POST", api + "/friends/requests/{requestId}/accept",
        http.post(api + "/friends/requests/" + request.getString("requestId") + "/accept", bob.token(), null));
    JsonObject second = check("POST", api + "/friends/requests", http.post(api + "/friends/requests", carol.token(),
        new JsonObject().put("to", alice.uid())));
    check("POST", api + "/friends/requests/{requestId}/reject",
        http.post(api + "/friends/requests/" + second.getString("requestId") + "/reject", a, null));
    check("GET", api + "/friends", http.get(api + "/friends", a));

    JsonObject group = check("POST", api + "/groups", http.post(api + "/groups", a,
        new JsonObject().put("name", "team").put("members", new JsonArray().add(bob.uid()))));
    String groupPath = api + "/groups/" + group.getString("groupId");
    check("GET", api + "/groups/{groupId}", http.get(groupPath, a));
    check("GET", api + "/groups/{groupId}", http.get(groupPath, carol.token()));
    check("PATCH", api + "/groups/{groupId}", http.patch(groupPath, a, new JsonObject().put("name", "team 2")));
    check("POST", api + "/groups/{groupId}/members", http.post(groupPath + "/members", a,
        new JsonObject().put("uids", new JsonArray().add(carol.uid()))));
    check("PUT", api + "/groups/{groupId}/admins/{uid}", http.put(groupPath + "/admins/" + bob.uid(), a, null));
    check("DELETE", api + "/groups/{groupId}/admins/{uid}", http.delete(groupPath + "/admins/" + bob.uid(), a));
    check("DELETE", api + "/groups/{groupId}/members/{uid}", http.delete(groupPath + "/members/" + carol.uid(), a));
    check("POST", api + "/rooms", http.post(api + "/rooms", a, new JsonObject().put("name", "lobby")));

    String conv = api + "/conversations/" + group.getString("conv");
    check("GET", api + "/conversations", http.get(api + "/conversations", a));
    check("GET", api + "/conversations/{conv}/messages", http.get(conv + "/messages?limit=5", a));
    check("GET", api + "/conversations/{conv}/messages", http.get(conv + "/messages?limit=x", a));
    check("POST", api + "/conversations/{conv}/read", http.post(conv + "/read", a, new JsonObject().put("seq", 1)));
    check("PUT", api + "/conversations/{conv}/mute", http.put(conv + "/mute", a, new JsonObject().put("muted", true)));
    check("PUT", api + "/conversations/{conv}/mute", http.put(conv + "/mute", a, new JsonObject().put("muted", "yes")));
    long seq = await(http.get(conv + "/messages?limit=1", a)).json().getJsonArray("messages").getJsonObject(0).getLong("seq");
    check("GET", api + "/conversations/{conv}/messages", http.get(conv + "/messages?thread=" + seq, a));
    check("GET", api + "/conversations/{conv}/messages", http.get(conv + "/messages?thread=99999", a));
    String todo = conv + "/messages/" + seq + "/todo";
    String todoTemplate = api + "/conversations/{conv}/messages/{seq}/todo";
    check("PUT", todoTemplate, http.put(todo, a, new JsonObject().put("assignees", new JsonArray().add(bob.uid()))));
    check("PUT", todoTemplate, http.put(todo, a, new JsonObject().put("assignees", new JsonArray().add(carol.uid()))));
    check("PUT", todoTemplate, http.put(todo, bob.token(), new JsonObject()));
    check("PUT", todoTemplate, http.put(conv + "/messages/99999/todo", a, new JsonObject()));
    check("POST", todoTemplate + "/done", http.post(todo + "/done", bob.token(), new JsonObject().put("done", true)));
    check("POST", todoTemplate + "/done", http.post(todo + "/done", carol.token(), new JsonObject().put("done", true)));
    check("POST", todoTemplate + "/done", http.post(todo + "/done", a, new JsonObject().put("done", true)));
    check("GET", api + "/todos", http.get(api + "/todos?done=true", bob.token()));
    check("GET", api + "/todos", http.get(api + "/todos?done=maybe", bob.token()));
    check("DELETE", todoTemplate, http.delete(todo, bob.token()));
    check("DELETE", todoTemplate, http.delete(todo, a));
    check("DELETE", todoTemplate, http.delete(todo, a));
    check("POST", api + "/sync", http.post(api + "/sync", a,
        new JsonObject().put("convs", new JsonArray()).put("all", true)));
    check("POST", api + "/sync", http.post(api + "/sync", a, new JsonObject().put("convs", new JsonArray()
        .add(new JsonObject().put("conv", accepted.getString("conv")).put("seq", 0)))));
    check("GET", api + "/calls/config", http.get(api + "/calls/config", a));
    check("GET", api + "/calls/config", http.get(api + "/calls/config", null));

    JsonObject media = check("POST", api + "/media",
        http.postBytes(api + "/media", a, Buffer.buffer("hello media"), "text/plain"));
    check("GET", "/media/{id}", http.get(media.getString("url"), a));
    check("GET", "/media/{id}", http.get("/media/" + "0".repeat(64), a));
    String mediaId = media.getString("url").substring("/media/".length());
    JsonObject link = check("GET", api + "/media/{id}/link", http.get(api + "/media/" + mediaId + "/link", a));
    check("GET", "/media/{id}", http.get(link.getString("url"), null));

    check("PUT", api + "/blocks/{uid}", http.put(api + "/blocks/" + carol.uid(), a, null));
    check("GET", api + "/blocks", http.get(api + "/blocks", a));
    check("DELETE", api + "/blocks/{uid}", http.delete(api + "/blocks/" + carol.uid(), a));
    check("DELETE", api + "/friends/{uid}", http.delete(api + "/friends/" + bob.uid(), a));
    check("DELETE", api + "/friends/{uid}", http.delete(api + "/friends/" + bob.uid(), a));

    TestNode.User dave = await(node.newUser());
    check("POST", api + "/auth/logout", http.post(api + "/auth/logout", dave.token(), null));
    check("POST", api + "/auth/logout", http.post(api + "/auth/logout", dave.token(), null));
    TestNode.User erin = await(node.newUser());
    check("POST", api + "/auth/logout-all", http.post(api + "/auth/logout-all", erin.token(), null));
    TestNode.User frank = await(node.newUser());
    check("DELETE", api + "/users/me", http.delete(api + "/users/me", frank.token(),
        new JsonObject().put("password", "not-the-password")));
    check("DELETE", api + "/users/me", http.delete(api + "/users/me", frank.token(),
        new JsonObject().put("password", "password-" + frank.username())));

    check("GET", "/admin/nodes", http.get("/admin/nodes", ADMIN));
    check("GET", "/admin/nodes", http.get("/admin/nodes", "wrong"));
    int instances = node.config().http().instances();
    check("POST", "/admin/verticles/{name}/scale", http.post("/admin/verticles/http/scale", ADMIN,
        new JsonObject().put("instances", instances)));
    check("POST", "/admin/verticles/{name}/scale", http.post("/admin/verticles/http/scale", ADMIN,
        new JsonObject().put("instances", 0)));
    check("POST", "/admin/users/{uid}/kick", http.post("/admin/users/" + bob.uid() + "/kick", ADMIN, null));

    check("GET", "/health", http.get("/health", null));
    check("GET", "/metrics", http.get("/metrics", null));
    check("GET", "/openapi.json", http.get("/openapi.json", null));
    check("GET", "/", http.get("/", null));
    check("GET", "/admin", http.get("/admin", null));

    assertEquals(List.of(), failures, "responses that do not match docs/openapi.json");
    Set<String> unexercised = new TreeSet<>(OpenApiDocument.operations(doc));
    unexercised.removeAll(checked);
    assertEquals(Set.of(), unexercised, "documented operations this test does not call");
  }

  /** Validates one response against the document; returns its JSON object body (empty when none). */
  private JsonObject check(String method, String template, Future<HttpResult> call) {
    HttpResult result = await(call);
    String where = method + " " + template + " → " + result.status();
    checked.add(method + " " + template);
    JsonObject operation = doc.getJsonObject("paths").getJsonObject(template, new JsonObject())
        .getJsonObject(method.toLowerCase());
    if (operation == null) {
      failures.add(where + ": not in the document");
      return new JsonObject();
    }
    JsonObject response = operation.getJsonObject("responses").getJsonObject(String.valueOf(result.status()));
    if (response == null) {
      failures.add(where + ": status not documented; body " + result.raw());
      return new JsonObject();
    }
    JsonObject content = response.getJsonObject("content");
    if (content == null) {
      if (result.raw() != null && result.raw().length() > 0) {
        failures.add(where + ": documented without a body, answered " + result.raw());
      }
      return new JsonObject();
    }
    String type = result.contentType() == null ? "" : result.contentType().split(";")[0].trim();
    if (!content.containsKey(type) && !content.containsKey("*/*")) {
      failures.add(where + ": Content-Type " + type + " not documented " + content.fieldNames());
      return new JsonObject();
    }
    if (!"application/json".equals(type)) {
      return new JsonObject();
    }
    String pointer = OpenApiDocument.pointer("paths", template, method.toLowerCase(), "responses",
        String.valueOf(result.status()), "content", "application/json", "schema");
    JsonSchema schema = schemas.getSchema(SchemaLocation.of("classpath:" + OpenApiDocument.RESOURCE + "#" + pointer));
    try {
      JsonNode body = MAPPER.readTree(result.raw().getBytes());
      Set<ValidationMessage> errors = schema.validate(body);
      if (!errors.isEmpty()) {
        failures.add(where + ": " + errors + " in " + result.raw());
      }
      return body.isObject() ? new JsonObject(result.raw()) : new JsonObject();
    } catch (java.io.IOException e) {
      failures.add(where + ": body is not JSON: " + result.raw());
      return new JsonObject();
    }
  }

  @Test
  void theDocumentIsServed() {
    HttpResult served = await(http.get("/openapi.json", null));
    assertEquals(200, served.status());
    assertEquals(doc, served.json());
    assertTrue(doc.getString("openapi").startsWith("3.1"));
  }
}
