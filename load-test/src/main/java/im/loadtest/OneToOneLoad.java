package im.loadtest;

import im.protocol.ErrorCode;
import im.protocol.ImException;
import im.protocol.Op;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * One-to-one load against a running node: {@code pairs} senders each send text messages to their own
 * peer over WebSocket or TCP, with at most {@code window} sends awaiting their ack, and the run reports
 * acked messages per second, ack latency, delivery to the peers and errors by code.
 *
 * <p>Users are fresh (random usernames) on every run, registered and logged in over HTTP. Everything runs
 * on one Vert.x instance without blocking; only {@code main} waits.
 */
public final class OneToOneLoad {

  static final String USAGE = """
      usage: java -jar im-load-test.jar [--key=value ...]
        --host=127.0.0.1     node to load
        --http-port=8080     HTTP API and WebSocket port
        --tcp-port=9000      TCP gateway port
        --transport=ws       ws or tcp
        --pairs=50           sender/peer pairs (2 x pairs users and connections)
        --messages=200       messages per sender
        --window=10          sends per sender awaiting their ack
        --duration=SECONDS   send for this long instead of --messages
        --setup-concurrency=32  registrations, logins and connects in flight during setup
        --drain-ms=5000      how long to wait after the last ack for deliveries still under way""";

  private static final long DELIVERY_POLL_MS = 20;
  private static final long RECV_COALESCE_MS = 10;
  private static final long RATE_LIMIT_RETRY_MS = 100;

  private final Vertx vertx;
  private final Options options;
  private final LoadStats stats = new LoadStats();
  private final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

  /** The knobs of one run, from {@code --key=value} arguments. */
  record Options(String host, int httpPort, int tcpPort, String transport, int pairs, int messages, int window,
                 long durationMs, int setupConcurrency, long drainMs) {

    static Options parse(String[] args) {
      Flags given = Flags.parse(args, Set.of("host", "http-port", "tcp-port", "transport", "pairs", "messages",
          "window", "duration", "setup-concurrency", "drain-ms"));
      Options options = new Options(
          given.string("host", "127.0.0.1"),
          given.integer("http-port", 8080),
          given.integer("tcp-port", 9000),
          given.string("transport", "ws"),
          given.integer("pairs", 50),
          given.integer("messages", 200),
          given.integer("window", 10),
          given.has("duration") ? durationMs(given.string("duration", "")) : 0,
          given.integer("setup-concurrency", 32),
          given.integer("drain-ms", 5000));
      if (!options.transport.equals("ws") && !options.transport.equals("tcp")) {
        throw new IllegalArgumentException("--transport must be ws or tcp");
      }
      if (options.pairs < 1 || options.messages < 1 || options.window < 1 || options.setupConcurrency < 1) {
        throw new IllegalArgumentException("--pairs, --messages, --window and --setup-concurrency must be >= 1");
      }
      return options;
    }

    String describe() {
      String amount = durationMs > 0 ? "duration=" + durationMs / 1000.0 + "s" : "messages/sender=" + messages;
      return "transport=" + transport + " pairs=" + pairs + " " + amount + " window=" + window
          + " node=" + host + ":" + (transport.equals("ws") ? httpPort : tcpPort);
    }

    private static long durationMs(String value) {
      String seconds = value.endsWith("s") ? value.substring(0, value.length() - 1) : value;
      try {
        long ms = Math.round(Double.parseDouble(seconds) * 1000);
        if (ms <= 0) {
          throw new NumberFormatException();
        }
        return ms;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--duration must be a positive number of seconds: " + value);
      }
    }
  }

  private record Account(String uid, String token) {
  }

  OneToOneLoad(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** Exit status: 0 clean run, 2 run finished with errors or missing deliveries, 1 setup failed, 64 bad arguments. */
  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(64);
      return;
    }
    Vertx vertx = Vertx.vertx();
    int status;
    try {
      status = new OneToOneLoad(vertx, options).run().await();
    } catch (Exception e) {
      // await() rethrows the cause as it is, checked exceptions such as ConnectException included.
      System.err.println("load run failed: " + e);
      status = 1;
    } finally {
      vertx.close().await();
    }
    System.exit(status);
  }

  /** Completes with the exit status once the report is printed. */
  Future<Integer> run() {
    HttpClient httpClient = vertx.createHttpClient(new HttpClientOptions(),
        new PoolOptions().setHttp1MaxSize(options.setupConcurrency()));
    ImHttp http = new ImHttp(httpClient, options.host(), options.httpPort());
    List<ImClient> clients = new ArrayList<>();
    progress("signing up %d users", 2 * options.pairs());
    return bounded(IntStream.range(0, 2 * options.pairs()).boxed().toList(), i -> signUp(http, i))
        .compose(accounts -> {
          progress("connecting %d %s clients", accounts.size(), options.transport());
          return bounded(IntStream.range(0, accounts.size()).boxed().toList(),
              i -> connect(i, accounts.get(i)).onSuccess(client -> {
                synchronized (clients) {
                  clients.add(client);
                }
              }))
              .compose(connected -> measure(accounts, connected));
        })
        .eventually(() -> Future.join(closeAll(clients), httpClient.close()));
  }

  private Future<Account> signUp(ImHttp http, int index) {
    String username = "lt" + runId + "_" + index;
    String password = "pw-" + runId + "-" + index;
    return http.register(username, password)
        .compose(registered -> http.login(username, password))
        .map(login -> new Account(login.getString("uid"), login.getString("token")));
  }

  /** Even indexes send to the odd index after them, which receives. */
  private Future<ImClient> connect(int index, Account account) {
    Future<ImClient> connecting = options.transport().equals("ws")
        ? ImClient.ws(vertx, options.host(), options.httpPort())
        : ImClient.tcp(vertx, options.host(), options.tcpPort());
    return connecting.compose(client -> {
      client.recordFrames(false).frameHandler(new Peer(client));
      return client.auth(account.token(), "load-" + index, "other")
          .map(client)
          .onFailure(e -> client.close());
    });
  }

  private Future<Integer> measure(List<Account> accounts, List<ImClient> clients) {
    List<Sender> senders = new ArrayList<>();
    for (int pair = 0; pair < options.pairs(); pair++) {
      senders.add(new Sender(clients.get(2 * pair), accounts.get(2 * pair + 1).uid(), pair));
    }
    progress("sending: %s", options.describe());
    long startNanos = System.nanoTime();
    long deadline = options.durationMs() > 0 ? startNanos + TimeUnit.MILLISECONDS.toNanos(options.durationMs()) : 0;
    return Future.all(senders.stream().map(sender -> sender.start(deadline)).toList())
        .compose(all -> {
          long elapsed = System.nanoTime() - startNanos;
          return deliveriesSettled().map(settled -> {
            System.out.println(stats.report(options.describe(), elapsed));
            return stats.clean() ? 0 : 2;
          });
        });
  }

  /** Completes once every acked message has arrived, or {@code drain-ms} after the last ack. */
  private Future<Void> deliveriesSettled() {
    Promise<Void> settled = Promise.promise();
    long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainMs());
    vertx.setPeriodic(DELIVERY_POLL_MS, timer -> {
      if (stats.deliveredCount() >= stats.ackedCount() || System.nanoTime() > giveUp) {
        vertx.cancelTimer(timer);
        settled.tryComplete();
      }
    });
    return settled.future();
  }

  /** Runs {@code task} over {@code items} with at most {@code setup-concurrency} in flight; results in order. */
  private <R> Future<List<R>> bounded(List<Integer> items, Function<Integer, Future<R>> task) {
    int lanes = Math.min(options.setupConcurrency(), items.size());
    AtomicReferenceArray<R> results = new AtomicReferenceArray<>(items.size());
    List<Future<Void>> chains = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = lane; i < items.size(); i += lanes) {
        int index = i;
        chain = chain.compose(v -> task.apply(items.get(index)).map(result -> {
          results.set(index, result);
          return null;
        }));
      }
      chains.add(chain);
    }
    return Future.all(chains).map(all -> IntStream.range(0, items.size()).mapToObj(results::get).toList());
  }

  private static Future<Void> closeAll(List<ImClient> clients) {
    List<ImClient> open;
    synchronized (clients) {
      open = List.copyOf(clients);
    }
    open.forEach(ImClient::close);
    return Future.join(open.stream().map(ImClient::closed).toList()).mapEmpty();
  }

  private static void progress(String format, Object... args) {
    System.err.printf("[load] " + format + "%n", args);
  }

  /**
   * Sends to one peer with at most {@code window} sends awaiting their ack. Replies arrive on the
   * connection's event loop while {@link #start} runs on the caller's thread, hence the atomics.
   */
  private final class Sender {
    private final ImClient client;
    private final String to;
    private final String cmidPrefix;
    private final AtomicInteger claimed = new AtomicInteger();
    /** Sends started or about to be; reserved before claiming, so reaching 0 means nothing is left. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Promise<Void> done = Promise.promise();
    private long deadline;

    Sender(ImClient client, String to, int pair) {
      this.client = client;
      this.to = to;
      this.cmidPrefix = runId + "-" + pair + "-";
    }

    Future<Void> start(long deadlineNanos) {
      this.deadline = deadlineNanos;
      for (int i = 0; i < options.window(); i++) {
        next();
      }
      return done.future();
    }

    private void next() {
      inFlight.incrementAndGet();
      int n = claim();
      if (n < 0) {
        if (inFlight.decrementAndGet() == 0) {
          done.tryComplete();
        }
        return;
      }
      JsonObject send = new JsonObject()
          .put("cmid", cmidPrefix + n)
          .put("to", to)
          .put("kind", "text")
          .put("body", new JsonObject().put("text", "load message " + n + " of run " + runId));
      attempt(send, System.nanoTime());
    }

    /**
     * Sends, and again after {@code rate_limited} with the same cmid as PROTOCOL §3 allows; moves on once
     * the message is acked or has failed otherwise. Ack latency counts from the first attempt, as a user
     * would feel it.
     */
    private void attempt(JsonObject send, long firstSentAt) {
      client.request(Op.SEND, send).onComplete(reply -> {
        if (reply.succeeded() && isRateLimited(reply.result()) && !client.closed().isComplete()) {
          stats.rateLimited();
          vertx.setTimer(RATE_LIMIT_RETRY_MS, timer -> attempt(send, firstSentAt));
          return;
        }
        if (reply.succeeded()) {
          onReply(reply.result(), send.getString("cmid"), System.nanoTime() - firstSentAt);
        } else {
          stats.error(reply.cause() instanceof ImException e ? "no_reply_" + e.code().wireName() : "client_failure");
        }
        inFlight.decrementAndGet();
        next();
      });
    }

    /** The number of the next message to send, or -1 when this sender is finished. */
    private int claim() {
      if (client.closed().isComplete()) {
        return -1;
      }
      if (deadline != 0) {
        return System.nanoTime() < deadline ? claimed.getAndIncrement() : -1;
      }
      int n = claimed.getAndIncrement();
      return n < options.messages() ? n : -1;
    }

    private static boolean isRateLimited(JsonObject reply) {
      return Op.ERROR.wireName().equals(reply.getValue("t"))
          && ErrorCode.RATE_LIMITED.wireName().equals(reply.getValue("code"));
    }

    private void onReply(JsonObject reply, String cmid, long latencyNanos) {
      String t = reply.getString("t");
      if (Op.ACK.wireName().equals(t) && cmid.equals(reply.getValue("cmid"))) {
        stats.acked(latencyNanos);
      } else if (Op.ERROR.wireName().equals(t)) {
        stats.error(String.valueOf(reply.getValue("code")));
      } else {
        stats.error("unexpected_reply_" + t);
      }
    }
  }

  /**
   * Takes the frames no request claims: counts {@code msg} deliveries (each message once, by the number in
   * its cmid) and confirms them with {@code recv},
   * coalesced so a burst costs one {@code recv}, as a real client would. Runs on the connection's event loop.
   */
  private final class Peer implements Handler<JsonObject> {
    private final ImClient client;
    /** Message numbers already delivered: one bit per message, so duplicates and reorderings tell apart. */
    private final BitSet seen = new BitSet();
    private long lastSeq;
    private String recvConv;
    private boolean recvScheduled;

    Peer(ImClient client) {
      this.client = client;
    }

    @Override
    public void handle(JsonObject frame) {
      String t = String.valueOf(frame.getValue("t"));
      if (t.equals(Op.MSG.wireName())) {
        onMsg(frame);
      } else if (t.equals(Op.ERROR.wireName())) {
        stats.error(String.valueOf(frame.getValue("code")));
      } else if (t.equals(Op.KICKED.wireName())) {
        stats.error("kicked_" + frame.getValue("reason"));
      } else if (t.equals(ImClient.MALFORMED)) {
        stats.error("malformed_frame");
      }
    }

    private void onMsg(JsonObject msg) {
      long seq = msg.getLong("seq", 0L);
      int n = messageNumber(msg.getValue("cmid"));
      if (n < 0) {
        stats.error("foreign_msg");
        return;
      }
      if (seen.get(n)) {
        stats.duplicate();
        return;
      }
      seen.set(n);
      if (seq < lastSeq) {
        stats.outOfOrder();
      }
      lastSeq = Math.max(lastSeq, seq);
      stats.delivered(System.currentTimeMillis() - msg.getLong("ts", 0L));
      recvConv = msg.getString("conv");
      if (!recvScheduled) {
        recvScheduled = true;
        vertx.setTimer(RECV_COALESCE_MS, timer -> {
          recvScheduled = false;
          client.send(Op.RECV, new JsonObject().put("conv", recvConv).put("seq", lastSeq));
        });
      }
    }

    /** The sender's message number from a cmid of this run, {@code -1} for anything else. */
    private int messageNumber(Object cmid) {
      if (!(cmid instanceof String text) || !text.startsWith(runId + "-")) {
        return -1;
      }
      try {
        return Integer.parseInt(text.substring(text.lastIndexOf('-') + 1));
      } catch (NumberFormatException e) {
        return -1;
      }
    }
  }
}
