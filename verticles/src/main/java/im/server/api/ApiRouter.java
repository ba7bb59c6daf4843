package im.server.api;

import im.server.user.UserClient;
import im.shared.auth.AccessTokens;
import im.shared.auth.JwtTokens;
import im.shared.auth.TokenRevoker;
import im.shared.auth.TokenVerifier;
import im.shared.limits.Throttle;
import im.shared.store.TokenStore;
import im.shared.config.ImConfig;
import im.shared.message.PersistenceBarrier;
import im.shared.message.ReadService;
import im.shared.store.ConversationStore;
import im.shared.store.MediaStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The HTTP API of {@code docs/protocol.md §4} for accounts, users, friends, blocks, conversations, history, sync,
 * read and media, mounted on a node's root router. Accounts, friends and blocks are answered by the user service
 * ({@link UserClient}), so a {@code UserVerticle} must be deployed on the node before requests arrive.
 * Every {@code /api/v1/*} route but register and login needs a bearer token; unknown {@code /api/v1/*} and
 * {@code /media/*} paths answer 404 in the error shape of {@link HttpErrors}, with or without a token.
 *
 * <p>Holds no state of its own; one instance may serve every HTTP verticle instance of the node. Handlers run
 * on the event loop of the request and never block.
 */
public final class ApiRouter implements RouteMount {

  public static final String API = "/api/v1";
  /** JSON bodies are small; only media uploads may be large. */
  public static final long MAX_JSON_BYTES = 64 * 1024;

  private final long mediaMaxBytes;
  private final JwtTokens tokens;
  private final UserClient users;
  private final ConversationRoutes conversations;
  private final MediaRoutes media;
  private final SocialRoutes social;
  private final CallRoutes calls;
  private GroupRoutes groups;
  private TodoRoutes todos;
  private TokenVerifier verifier;
  private TokenRevoker revoker;
  private AccountLimits limits = AccountLimits.OFF;

  /**
   * Tokens are checked by signature and claims only until {@link #withAccounts} adds revocation and throttling:
   * {@code revoker} still stores revocations, but nothing here reads them back.
   */
  public ApiRouter(ImConfig config, JwtTokens tokens, TokenRevoker revoker, UserClient users,
                   ConversationStore conversations, ReadService reads, MediaStore media) {
    this.mediaMaxBytes = config.mediaMaxBytes();
    this.tokens = tokens;
    this.users = users;
    this.verifier = tokens;
    this.revoker = revoker;
    this.social = new SocialRoutes(users);
    this.calls = new CallRoutes(config.calls());
    this.conversations = new ConversationRoutes(conversations, reads);
    this.media = new MediaRoutes(media, new MediaLinks(tokens.derivedKey("media-links")));
  }

  /** The API over {@code pool} with stores of its own. */
  public static ApiRouter create(Vertx vertx, ImConfig config, Pool pool, JwtTokens tokens, ReadService reads) {
    return create(vertx, config, pool, tokens, reads, PersistenceBarrier.NONE);
  }

  /** @param barrier what reads of conversations wait for first (Kafka mode: the persister) */
  public static ApiRouter create(Vertx vertx, ImConfig config, Pool pool, JwtTokens tokens, ReadService reads,
                                 PersistenceBarrier barrier) {
    return new ApiRouter(config, tokens, new TokenRevoker(vertx, new TokenStore(pool), null), new UserClient(vertx),
        new ConversationStore(pool, barrier), reads, new MediaStore(vertx, pool));
  }

  /**
   * What a node serves with (docs/architecture.md, "Accounts and tokens"): tokens checked against revocations,
   * revocations announced to every node, logins and registrations throttled in Redis. Call before {@link #mount}.
   */
  public ApiRouter withAccounts(AccessTokens verifier, TokenRevoker revoker, Throttle throttle, ImConfig.Limits limits) {
    this.verifier = verifier;
    this.revoker = revoker;
    this.limits = new AccountLimits(throttle, limits);
    return this;
  }

  /** Serves groups and rooms too; call before {@link #mount}. */
  public ApiRouter withGroups(GroupRoutes groups) {
    this.groups = groups;
    return this;
  }

  /** Serves message to-dos too; call before {@link #mount}. */
  public ApiRouter withTodos(TodoRoutes todos) {
    this.todos = todos;
    return this;
  }

  /**
   * Adds the routes to {@code root}. Routes added later under {@code /api/v1/} (friends, groups, ...) pass the same
   * bearer check and error mapping, and still win over the 404 fallback, which is ordered last.
   */
  @Override
  public void mount(Router root) {
    JsonBody json = new JsonBody(MAX_JSON_BYTES);
    BearerAuth bearer = new BearerAuth(verifier, false);
    AccountRoutes accounts = new AccountRoutes(tokens, revoker, limits, users);

    root.route(API + "/*").failureHandler(HttpErrors::handle);
    root.route(MediaRoutes.URL_PREFIX + "*").failureHandler(HttpErrors::handle);

    root.post(API + "/auth/register").handler(json).handler(accounts::register);
    root.post(API + "/auth/login").handler(json).handler(accounts::login);
    KnownPaths known = new KnownPaths();
    root.route(API + "/*").handler(ctx -> {
      if (known.test(ctx.normalizedPath())) {
        bearer.handle(ctx);
      } else {
        ctx.next();
      }
    });

    root.post(API + "/auth/logout").handler(accounts::logout);
    root.post(API + "/auth/logout-all").handler(accounts::logoutAll);
    root.delete(API + "/users/me").handler(json).handler(accounts::close);
    root.get(API + "/users/me").handler(accounts::me);
    root.patch(API + "/users/me").handler(json).handler(accounts::updateMe);
    root.get(API + "/users/:uid").handler(accounts::user);
    root.get(API + "/users").handler(accounts::byUsername);

    root.get(API + "/conversations").handler(conversations::list);
    root.get(API + "/conversations/:conv/messages").handler(conversations::history);
    root.post(API + "/conversations/:conv/read").handler(json).handler(conversations::read);
    root.put(API + "/conversations/:conv/mute").handler(json).handler(conversations::mute);
    root.post(API + "/sync").handler(json).handler(conversations::sync);
    root.get(API + "/calls/config").handler(calls::config);

    if (groups != null) {
      groups.mount(root, json);
    }
    if (todos != null) {
      todos.mount(root, json);
    }

    root.post(API + "/media").handler(media::refuseForms);
    root.post(API + "/media").handler(BodyHandler.create(false).setBodyLimit(mediaMaxBytes)).handler(media::upload);
    BearerAuth mediaBearer = new BearerAuth(verifier, true);
    root.get(API + "/media/:id/link").handler(media::link);
    root.get(MediaRoutes.URL_PREFIX + ":id").handler(ctx -> {
      if (media.signed(ctx)) {
        ctx.next();
      } else {
        mediaBearer.handle(ctx);
      }
    }).handler(media::download);
    social.mount(root, json);

    root.route(API + "/*").last().handler(HttpErrors::notFound);
    root.route(MediaRoutes.URL_PREFIX + "*").last().handler(HttpErrors::notFound);
    known.readFrom(root);
  }

  /**
   * The paths some route under {@code /api/v1} serves, whatever the method. The bearer check runs only for
   * these, so an unknown path answers 404 with or without a token (docs/protocol.md §4). Read from the router
   * once mounting is done, before the server listens; then only read, on the router's event loop.
   */
  private static final class KnownPaths implements Predicate<String> {

    private List<Pattern> patterns = List.of();

    void readFrom(Router root) {
      patterns = root.getRoutes().stream()
          .filter(route -> route.isExactPath() && route.getPath() != null && route.getPath().startsWith(API + "/"))
          .map(route -> template(route.getPath()))
          .toList();
    }

    @Override
    public boolean test(String path) {
      return patterns.stream().anyMatch(pattern -> pattern.matcher(path).matches());
    }

    /** {@code /a/:id/b} → {@code /a/[^/]+/b/?}: a parameter is one segment; vertx-web allows a trailing slash. */
    private static Pattern template(String path) {
      String regex = Arrays.stream(path.split("/", -1))
          .map(segment -> segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment))
          .collect(Collectors.joining("/"));
      return Pattern.compile(regex + "/?");
    }
  }
}
