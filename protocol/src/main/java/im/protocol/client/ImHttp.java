package im.protocol.client;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * A small JSON client of the HTTP API (docs/protocol.md §4) for tests and the load generator. Every call
 * completes with the response whatever its status, except {@link #register} and {@link #login}, which
 * fail with an {@link ImException} when the status is not the documented one. Thread-safe.
 */
public final class ImHttp {

  private static final String JSON = "application/json";

  private final HttpClient client;
  private final String host;
  private final int port;
  private final boolean ownsClient;

  /** With an HTTP client of its own, closed by {@link #close()}. */
  public ImHttp(Vertx vertx, String host, int port) {
    this(vertx.createHttpClient(), host, port, true);
  }

  /** With a shared HTTP client, which the caller keeps and closes. */
  public ImHttp(HttpClient client, String host, int port) {
    this(client, host, port, false);
  }

  private ImHttp(HttpClient client, String host, int port, boolean ownsClient) {
    this.client = client;
    this.host = host;
    this.port = port;
    this.ownsClient = ownsClient;
  }

  /** @param token sent as {@code Authorization: Bearer}; {@code null} sends none */
  public Future<HttpResult> get(String path, String token) {
    return call(HttpMethod.GET, path, token, null, null);
  }

  public Future<HttpResult> post(String path, String token, JsonObject body) {
    return call(HttpMethod.POST, path, token, jsonOf(body), JSON);
  }

  public Future<HttpResult> patch(String path, String token, JsonObject body) {
    return call(HttpMethod.PATCH, path, token, jsonOf(body), JSON);
  }

  public Future<HttpResult> put(String path, String token, JsonObject body) {
    return call(HttpMethod.PUT, path, token, jsonOf(body), JSON);
  }

  public Future<HttpResult> delete(String path, String token) {
    return call(HttpMethod.DELETE, path, token, null, null);
  }

  /** A DELETE with a JSON body, e.g. closing an account with its password. */
  public Future<HttpResult> delete(String path, String token, JsonObject body) {
    return call(HttpMethod.DELETE, path, token, jsonOf(body), JSON);
  }

  /** Raw bytes with their own content type, e.g. a media upload. */
  public Future<HttpResult> postBytes(String path, String token, Buffer bytes, String contentType) {
    return call(HttpMethod.POST, path, token, bytes, contentType);
  }

  /** {@code POST /api/v1/auth/register}; the {@code 201} body {@code {uid, username}}. */
  public Future<JsonObject> register(String username, String password) {
    JsonObject body = new JsonObject().put("username", username).put("password", password);
    return post("/api/v1/auth/register", null, body).map(result -> expect(result, 201, "register"));
  }

  /** {@code POST /api/v1/auth/login}; the {@code 200} body {@code {token, uid, expiresAt}}. */
  public Future<JsonObject> login(String username, String password) {
    JsonObject body = new JsonObject().put("username", username).put("password", password);
    return post("/api/v1/auth/login", null, body).map(result -> expect(result, 200, "login"));
  }

  public Future<Void> close() {
    return ownsClient ? client.close() : Future.succeededFuture();
  }

  private Future<HttpResult> call(HttpMethod method, String path, String token, Buffer body, String contentType) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(path);
    if (token != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token);
    }
    if (contentType != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    }
    // body() must be asked for in the callback of send() itself: a later callback may run after the
    // response has already ended, and the body would be lost.
    return client.request(options)
        .compose(request -> (body == null ? request.send() : request.send(body)).compose(ImHttp::read));
  }

  private static Future<HttpResult> read(HttpClientResponse response) {
    String contentType = response.getHeader(HttpHeaders.CONTENT_TYPE);
    return response.body().map(raw -> new HttpResult(response.statusCode(), raw, contentType));
  }

  private static Buffer jsonOf(JsonObject body) {
    return (body == null ? new JsonObject() : body).toBuffer();
  }

  private static JsonObject expect(HttpResult result, int status, String what) {
    if (result.status() == status) {
      return result.json();
    }
    String code = result.errorCode();
    throw new ImException(code != null ? ErrorCode.fromWireName(code) : ErrorCode.INTERNAL,
        what + ": HTTP " + result.status() + " " + result.raw());
  }
}
