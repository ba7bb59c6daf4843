package im.server.user;

import im.shared.auth.PasswordHasher;
import im.shared.events.EventPublisher;
import im.shared.routes.Fanout;
import im.shared.store.SocialStore;
import im.shared.store.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.Map;

/** Deploys a {@link UserVerticle} over the real PostgreSQL, for tests that serve the API without a whole node. */
public final class TestUserService {

  private TestUserService() {}

  /** Every friend is listed offline (no presence); events go to {@code fanout}; friendship is not required to send. */
  public static Future<String> deploy(Vertx vertx, Pool pool, int passwordIterations, Fanout fanout) {
    SocialStore social = new SocialStore(pool);
    SendPolicy policy = new SendPolicy(vertx, social, false);
    StatusLookup offline = uids -> Future.succeededFuture(Map.<String, JsonObject>of());
    return vertx.deployVerticle(new UserVerticle(
        new Accounts(new UserStore(pool), new PasswordHasher(vertx, passwordIterations)),
        new Friends(social, fanout, policy, offline, EventPublisher.NONE),
        new Blocks(social, policy, EventPublisher.NONE)));
  }
}
