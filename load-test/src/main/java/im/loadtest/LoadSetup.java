package im.loadtest;

import im.protocol.Conv;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Everything before the measured part of a run: registers and logs in fresh users over HTTP, then connects
 * and authenticates one client per user, at most {@code setup-concurrency} of either in flight. User {@code i}'s
 * HTTP calls go to the node its connection goes to ({@link Target#node}), so that a large set-up spreads its
 * sign-up cost over the cluster as its connections are. Every connection pings every 30 s, as docs/protocol.md §3
 * asks of a client: a large set-up takes longer than the server's idle timeout ({@code realtime.tcpIdleTimeoutMs}),
 * and a process may then wait for the others of its run. Owns what it opens until {@link #close}.
 *
 * <p>Thread-safe: steps complete on whichever event loop answers them, and the lists of opened and authenticated
 * clients are each guarded by their own lock.
 */
final class LoadSetup {

  /** A signed-up user: its id, and the token its connection authenticates with. */
  record Account(String uid, String token) {
  }

  private static final long HEARTBEAT_MS = 30_000;

  private final Vertx vertx;
  private final Target target;
  private final RunId runId;
  private final HttpClient httpClient;
  /** The HTTP API of each node, sharing {@link #httpClient} (whose pool is per node). */
  private final Map<Target.Node, ImHttp> http = new HashMap<>();
  private final List<ImClient> opened = new ArrayList<>();
  /** The opened clients whose {@code auth} succeeded: the heartbeat's (a frame before auth is refused). */
  private final List<ImClient> authenticated = new ArrayList<>();
  private final long heartbeat;

  /** One client per source address (or one that binds any), taken in turn by the connections. */
  private final List<NetClient> tcpClients = new ArrayList<>();
  private final List<WebSocketClient> wsClients = new ArrayList<>();

  LoadSetup(Vertx vertx, Target target, RunId runId) {
    this.vertx = vertx;
    this.target = target;
    this.runId = runId;
    this.httpClient = vertx.createHttpClient(new HttpClientOptions(),
        new PoolOptions().setHttp1MaxSize(target.setupConcurrency()));
    target.nodes().forEach(node -> http.put(node, new ImHttp(httpClient, node.host(), node.httpPort())));
    List<String> sources = target.sourceAddresses().isEmpty() ? Collections.singletonList(null)
        : target.sourceAddresses();
    for (String source : sources) {
      tcpClients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress(source).setTcpNoDelay(true)));
      wsClients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setLocalAddress(source)
          .setMaxConnections(Integer.MAX_VALUE).setTcpNoDelay(true)));
    }
    this.heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id -> copyOf(authenticated).stream()
        .filter(client -> !client.closed().isComplete())
        .forEach(client -> client.send(Op.PING, new JsonObject())));
  }

  /** Registers and logs in {@code count} fresh users; accounts in index order. */
  Future<List<Account>> signUp(int count) {
    return bounded(count, this::account);
  }

  /**
   * Connects and authenticates one client per account (device {@code load-<index>}), in account order.
   * {@code frames} gives each client the handler of the frames no request claims, set before {@code auth}
   * so that nothing sent right after it is missed.
   */
  Future<List<ImClient>> connect(List<Account> accounts, Function<ImClient, Handler<JsonObject>> frames) {
    return bounded(accounts.size(), index -> connect(index, accounts.get(index), frames));
  }

  /**
   * Creates a group owned by {@code owner} with {@code members} (uids) through the HTTP API.
   *
   * @return the group's conversation id
   */
  Future<String> createGroup(Account owner, List<String> members, String name) {
    JsonObject body = new JsonObject().put("name", name).put("members", new JsonArray(members));
    return http.get(target.nodes().get(0)).post("/api/v1/groups", owner.token(), body).map(result -> {
      if (result.status() != 201) {
        throw new IllegalStateException("group not created: HTTP " + result.status() + " " + result.raw());
      }
      return result.json().getString("conv");
    });
  }

  /**
   * {@code POST /api/v1/sync} for one conversation above {@code seq}, as {@code account} of user {@code index}. A
   * one-to-one conversation that has no message yet answers 404 (docs/protocol.md §4): nothing to fill, so that
   * gives an empty result; its first message reaches the connection, which is up before it syncs, live.
   */
  Future<JsonObject> sync(int index, Account account, String conv, long seq, int limit) {
    JsonObject body = new JsonObject()
        .put("convs", new JsonArray().add(new JsonObject().put("conv", conv).put("seq", seq)))
        .put("limit", limit);
    return httpOf(index).post("/api/v1/sync", account.token(), body).map(result -> {
      if (result.status() == 404 && Conv.typeOf(conv) == Conv.Type.P2P && seq == 0) {
        return new JsonObject().put("conv", conv).put("messages", new JsonArray()).put("missing", 0);
      }
      if (result.status() != 200) {
        throw new IllegalStateException("sync: HTTP " + result.status() + " " + result.raw());
      }
      return result.json().getJsonArray("convs").getJsonObject(0);
    });
  }

  private static List<ImClient> copyOf(List<ImClient> clients) {
    synchronized (clients) {
      return List.copyOf(clients);
    }
  }

  /** Closes every client opened so far, and the HTTP client; completes when all are closed. */
  Future<Void> close() {
    vertx.cancelTimer(heartbeat);
    List<ImClient> open = copyOf(opened);
    open.forEach(ImClient::close);
    List<Future<?>> closing = new ArrayList<>(open.stream().map(ImClient::closed).toList());
    closing.add(httpClient.close());
    tcpClients.forEach(client -> closing.add(client.close()));
    wsClients.forEach(client -> closing.add(client.close()));
    return Future.join(closing).mapEmpty();
  }

  private Future<Account> account(int index) {
    String username = runId.username(index);
    String password = runId.password(index);
    ImHttp node = httpOf(index);
    return node.register(username, password)
        .compose(registered -> node.login(username, password))
        .map(login -> new Account(login.getString("uid"), login.getString("token")));
  }

  /**
   * Connects and authenticates one client of {@code account} as device {@code load-<index>} (again, after a drop). A
   * client whose {@code auth} fails (or times out) is closed: its {@code auth} may still succeed at the node later,
   * and a retry as the same device would then replace it, or it would replace the retry.
   */
  Future<ImClient> connect(int index, Account account, Function<ImClient, Handler<JsonObject>> frames) {
    Target.Node node = target.node(index);
    Future<ImClient> connecting = target.overWebSocket()
        ? ImClient.ws(vertx, wsClients.get(index % wsClients.size()), node.host(), node.httpPort())
        : ImClient.tcp(vertx, tcpClients.get(index % tcpClients.size()), node.host(), node.tcpPort());
    return connecting.compose(client -> {
      synchronized (opened) {
        opened.add(client);
      }
      Handler<JsonObject> handler = frames.apply(client);
      AtomicBoolean signedIn = new AtomicBoolean();
      client.recordFrames(false).frameHandler(frame -> {
        // Before auth_ok, an error frame is the node refusing this attempt (its auth deadline passed on a busy
        // node): the attempt fails, and its caller counts and retries it; it is not an error of the run.
        if (signedIn.get() || !Op.ERROR.wireName().equals(frame.getValue("t"))) {
          handler.handle(frame);
        }
      });
      return client.auth(account.token(), "load-" + index, "other")
          .onFailure(refused -> client.close())
          .map(authOk -> {
            signedIn.set(true);
            synchronized (authenticated) {
              authenticated.add(client);
            }
            return client;
          });
    });
  }

  private ImHttp httpOf(int index) {
    return http.get(target.node(index));
  }

  /**
   * Runs {@code step} for indexes 0 to {@code count - 1} with at most {@code setup-concurrency} in flight,
   * starting the next as one finishes; results in index order, failing with the first failure.
   */
  private <R> Future<List<R>> bounded(int count, IntFunction<Future<R>> step) {
    Single<List<R>> results = Flowable.range(0, count)
        .concatMapEager(index -> Single.fromCompletionStage(step.apply(index).toCompletionStage()).toFlowable(),
            target.setupConcurrency(), 1)
        .toList();
    return Future.fromCompletionStage(results.toCompletionStage());
  }
}
