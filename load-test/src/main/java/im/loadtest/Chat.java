package im.loadtest;

import im.protocol.Op;
import im.protocol.client.HttpResult;
import im.protocol.client.ImClient;
import im.protocol.client.ImHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A line-based chat client for trying a node by hand: signs in (registering first with {@code --register=true}),
 * connects over WebSocket or TCP, prints every frame it receives as one JSON line, confirms each {@code msg}
 * with {@code recv}, and turns typed commands into frames and HTTP calls.
 */
public final class Chat {

  static final String USAGE = """
      usage: java -cp im-load-test.jar im.loadtest.Chat --username=NAME --password=SECRET [--key=value ...]
        --register=false     register the user first
        --transport=ws       ws or tcp
        --device=cli         device id of this connection
        --host=127.0.0.1 --http-port=8080 --tcp-port=9000
      commands:
        /to USERNAME TEXT    send a text to a user      /send CONV TEXT   send to a conversation
        /read CONV SEQ       mark read                  /recall CONV SEQ  recall a message
        /typing CONV         say you are typing         /presence STATUS  online, away, busy, invisible
        /join CONV  /leave CONV  (rooms)                /history CONV     the newest 20 messages
        /convs               the conversation list      /sync             every conversation, from the start
        /quit""";

  private static final long TIMEOUT_SECONDS = 15;

  private final ImHttp http;
  private final ImClient client;
  private final String token;

  private Chat(ImHttp http, ImClient client, String token) {
    this.http = http;
    this.client = client;
    this.token = token;
  }

  public static void main(String[] args) throws Exception {
    Flags flags;
    try {
      flags = Flags.parse(args, Set.of("host", "http-port", "tcp-port", "transport", "username", "password",
          "register", "device"));
      if (!flags.has("username") || !flags.has("password")) {
        throw new IllegalArgumentException("--username and --password are required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(64);
      return;
    }
    String host = flags.string("host", "127.0.0.1");
    String username = flags.string("username", "");
    String password = flags.string("password", "");
    Vertx vertx = Vertx.vertx();
    ImHttp http = new ImHttp(vertx, host, flags.integer("http-port", 8080));
    if (Boolean.parseBoolean(flags.string("register", "false"))) {
      try {
        print(await(http.register(username, password)));
      } catch (RuntimeException e) {
        System.out.println("! not registered (" + e.getMessage() + "); signing in");
      }
    }
    JsonObject login = await(http.login(username, password));
    ImClient client = await("tcp".equals(flags.string("transport", "ws"))
        ? ImClient.tcp(vertx, host, flags.integer("tcp-port", 9000))
        : ImClient.ws(vertx, host, flags.integer("http-port", 8080)));
    client.recordFrames(false).frameHandler(frame -> {
      print(frame);
      if ("msg".equals(frame.getString("t"))) {
        client.send(Op.RECV, new JsonObject().put("conv", frame.getString("conv")).put("seq", frame.getLong("seq")));
      }
    });
    print(await(client.auth(login.getString("token"), flags.string("device", "cli"))));
    client.closed().onComplete(closed -> {
      System.out.println("connection closed");
      System.exit(0);
    });
    new Chat(http, client, login.getString("token")).readCommands();
    client.close();
    vertx.close();
  }

  private void readCommands() throws Exception {
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = stdin.readLine()) != null && !line.strip().equals("/quit")) {
      if (!line.isBlank()) {
        try {
          run(line.strip().split("\\s+", 3));
        } catch (RuntimeException e) {
          System.out.println("! " + e.getMessage());
        }
      }
    }
  }

  private void run(String[] words) {
    switch (words[0]) {
      case "/to" -> {
        HttpResult found = await(http.get("/api/v1/users?username=" + URLEncoder.encode(arg(words, 1), StandardCharsets.UTF_8), token));
        if (found.status() != 200) {
          print(found.json());
          return;
        }
        print(await(client.request(Op.SEND, text(arg(words, 2)).put("to", found.json().getString("uid")))));
      }
      case "/send" -> print(await(client.request(Op.SEND, text(arg(words, 2)).put("conv", arg(words, 1)))));
      case "/read" -> print(await(client.request(Op.READ, convSeq(words))));
      case "/recall" -> print(await(client.request(Op.RECALL, convSeq(words))));
      case "/typing" -> print(await(client.request(Op.TYPING, new JsonObject().put("conv", arg(words, 1)))));
      case "/presence" -> print(await(client.request(Op.PRESENCE, new JsonObject().put("status", arg(words, 1)))));
      case "/join" -> print(await(client.request(Op.JOIN, new JsonObject().put("conv", arg(words, 1)))));
      case "/leave" -> print(await(client.request(Op.LEAVE, new JsonObject().put("conv", arg(words, 1)))));
      case "/history" -> print(await(http.get("/api/v1/conversations/" + arg(words, 1) + "/messages", token)).json());
      case "/convs" -> print(await(http.get("/api/v1/conversations", token)).json());
      case "/sync" -> print(await(http.post("/api/v1/sync", token,
          new JsonObject().put("convs", new JsonArray()).put("all", true))).json());
      default -> System.out.println(USAGE);
    }
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("cmid", UUID.randomUUID().toString()).put("kind", "text")
        .put("body", new JsonObject().put("text", text));
  }

  private static JsonObject convSeq(String[] words) {
    return new JsonObject().put("conv", arg(words, 1)).put("seq", Long.parseLong(arg(words, 2)));
  }

  private static String arg(String[] words, int index) {
    if (words.length <= index) {
      throw new IllegalArgumentException("missing argument; /help lists the commands");
    }
    return words[index];
  }

  private static void print(JsonObject json) {
    System.out.println(json.encode());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer within " + TIMEOUT_SECONDS + " s");
    }
  }
}
