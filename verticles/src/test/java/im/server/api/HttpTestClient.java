package im.server.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A blocking HTTP/1.1 client over real sockets (the JDK's, with keep-alive), independent of the server's Vert.x,
 * so that a client-side race can never pass for a server bug.
 */
final class HttpTestClient {

  record Reply(int status, HttpHeaders headers, Buffer body) {
    JsonObject json() {
      return body.length() == 0 ? null : new JsonObject(body);
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** Asserts the error shape of docs/protocol.md §4 with this status and code. */
    Reply assertError(int expectedStatus, String code) {
      assertEquals(expectedStatus, status, body.toString());
      assertEquals(code, json().getJsonObject("error").getString("code"), body.toString());
      assertEquals("application/json", header("Content-Type"));
      return this;
    }
  }

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final int port;

  HttpTestClient(int port) {
    this.port = port;
  }

  Reply call(HttpMethod method, String uri, String token, Buffer body, String contentType) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .timeout(Duration.ofSeconds(10))
        .method(method.name(), body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body.getBytes()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    try {
      HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(response.statusCode(), response.headers(), Buffer.buffer(response.body()));
    } catch (IOException e) {
      throw new AssertionError("HTTP " + method + " " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Reply get(String uri, String token) {
    return call(HttpMethod.GET, uri, token, null, null);
  }

  Reply post(String uri, String token, JsonObject body) {
    return call(HttpMethod.POST, uri, token, body.toBuffer(), "application/json");
  }

  Reply postRaw(String uri, String token, String body) {
    return call(HttpMethod.POST, uri, token, Buffer.buffer(body), "application/json");
  }

  Reply patch(String uri, String token, JsonObject body) {
    return call(HttpMethod.PATCH, uri, token, body.toBuffer(), "application/json");
  }
}
