package im.server.presence;

import im.protocol.Op;
import im.shared.bus.Addresses;
import im.shared.bus.presence.PresencePoke;
import im.shared.config.ImConfig;
import im.shared.events.DomainEvent;
import im.shared.events.EventPublisher;
import im.shared.routes.Delivery;
import im.shared.routes.Fanout;
import im.shared.routes.RoutingTable;
import im.shared.store.SocialStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The presence owner of the users whose uid this node owns (deploy one instance per node): consumes the pokes of
 * {@link Presence} and tells friends what changed.
 *
 * <p>Per user: a poke never announces by itself, it schedules one re-evaluation of the user's state — online when
 * the routing table holds any route of the user anywhere in the cluster, shown as the chosen status — so a burst
 * of changes collapses into one announcement of the latest state, and announcements are at most one per
 * {@code minIntervalMs}. Going offline is announced only once the user has had no route for {@code graceMs}: a
 * reconnect within the grace is never seen by friends. An announcement writes the shown state (and, for offline,
 * {@code users.last_seen}) before the frames go out, so the friend list agrees with them; each announcement is also a
 * {@code presence.changed} event (docs/events.md).
 *
 * <p>Threading: all state lives on this verticle's context; nothing is shared.
 */
public final class PresenceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  private static final long RETRY_MS = 1000;
  private static final long NONE = -1;

  /** What this owner knows of one user; dropped once the user is shown offline and nothing is pending. */
  private static final class UserState {
    PresenceStatus shown = PresenceStatus.OFFLINE;
    long shownAt;
    long offlineNotBefore;
    /** The latest change's time: the {@code lastSeen} of an offline announcement. */
    long lastEventAt;
    /** A status set but not yet stored; the latest wins. */
    PresenceStatus choice;
    long timer = NONE;
    long dueAt;
    boolean evaluating;
    boolean dirty;
  }

  private final String nodeId;
  private final RoutingTable routes;
  private final PresenceStore store;
  private final SocialStore social;
  private final Fanout fanout;
  private final ImConfig.Presence config;
  private final EventPublisher events;
  private final Map<String, UserState> users = new HashMap<>();
  private MessageConsumer<JsonObject> consumer;

  public PresenceVerticle(String nodeId, RoutingTable routes, PresenceStore store, SocialStore social, Fanout fanout,
                          ImConfig.Presence config, EventPublisher events) {
    this.nodeId = nodeId;
    this.routes = routes;
    this.store = store;
    this.social = social;
    this.fanout = fanout;
    this.config = config;
    this.events = events;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.nodePresence(nodeId), message -> poke(message.body()));
    return consumer.completion();
  }

  private void poke(JsonObject body) {
    long now = System.currentTimeMillis();
    PresencePoke poke = PresencePoke.fromJson(body, now);
    if (poke == null) {
      return;
    }
    String uid = poke.uid();
    UserState user = users.computeIfAbsent(uid, u -> new UserState());
    user.lastEventAt = Math.max(user.lastEventAt, poke.at());
    if (poke.kind() == PresencePoke.Kind.DISCONNECT) {
      user.offlineNotBefore = Math.max(user.offlineNotBefore, now + config.graceMs());
    } else if (poke.kind() == PresencePoke.Kind.STATUS) {
      user.choice = PresenceStatus.of(poke.status(), PresenceStatus.ONLINE);
    }
    schedule(uid, user, earliest(user, now));
  }

  private long earliest(UserState user, long now) {
    return Math.max(now, user.shownAt + config.minIntervalMs());
  }

  private void schedule(String uid, UserState user, long at) {
    if (user.evaluating) {
      user.dirty = true;
      return;
    }
    if (user.timer != NONE) {
      if (user.dueAt <= at) {
        return;
      }
      vertx.cancelTimer(user.timer);
    }
    user.dueAt = at;
    user.timer = vertx.setTimer(Math.max(1, at - System.currentTimeMillis()), id -> {
      user.timer = NONE;
      evaluate(uid, user);
    });
  }

  private void evaluate(String uid, UserState user) {
    user.evaluating = true;
    Future<Map<String, Map<String, Set<String>>>> online = routes.lookup(List.of(uid));
    PresenceStatus choice = user.choice;
    user.choice = null;
    Future<PresenceStatus> chosen = choice == null
        ? store.chosen(uid)
        : store.choose(uid, choice, config.statusTtlMs()).map(choice);
    Future.all(online, chosen)
        .compose(both -> decide(uid, user, online.result().containsKey(uid), chosen.result()))
        .onComplete(decided -> {
          user.evaluating = false;
          long now = System.currentTimeMillis();
          long next = decided.succeeded() ? decided.result() : now + RETRY_MS;
          if (decided.failed()) {
            if (choice != null && user.choice == null) {
              user.choice = choice;
            }
            LOG.warn("presence of {} not evaluated: {}", uid, decided.cause().getMessage());
          }
          if (user.dirty) {
            user.dirty = false;
            next = next == NONE ? earliest(user, now) : Math.min(next, earliest(user, now));
          }
          if (next != NONE) {
            schedule(uid, user, next);
          } else if (user.shown == PresenceStatus.OFFLINE) {
            users.remove(uid);
          }
        });
  }

  /** Announces the user's state if it changed and may be told now; @return when to look again, or NONE. */
  private Future<Long> decide(String uid, UserState user, boolean connected, PresenceStatus chosen) {
    long now = System.currentTimeMillis();
    PresenceStatus visible = connected ? chosen.shownAs() : PresenceStatus.OFFLINE;
    long rateLimitEnd = user.shownAt + config.minIntervalMs();
    if (visible == user.shown) {
      // Nothing to tell; an offline user's state is kept until the rate limit no longer needs it.
      return Future.succeededFuture(user.shown == PresenceStatus.OFFLINE && now < rateLimitEnd ? rateLimitEnd : NONE);
    }
    if (!connected && now < user.offlineNotBefore) {
      return Future.succeededFuture(user.offlineNotBefore);
    }
    if (now < rateLimitEnd) {
      return Future.succeededFuture(rateLimitEnd);
    }
    long lastSeen = visible == PresenceStatus.OFFLINE ? user.lastEventAt : now;
    user.shown = visible;
    user.shownAt = now;
    return announce(uid, visible, lastSeen)
        .recover(failure -> {
          LOG.warn("presence {} of {} not announced: {}", visible.wireName(), uid, failure.getMessage());
          return Future.succeededFuture();
        })
        .map(v -> visible == PresenceStatus.OFFLINE ? now + config.minIntervalMs() : NONE);
  }

  private Future<Void> announce(String uid, PresenceStatus status, long lastSeen) {
    LOG.debug("presence of {}: {}", uid, status.wireName());
    JsonObject frame = PresenceStore.shownJson(status, lastSeen).put("uid", uid);
    return store.setShown(uid, status, lastSeen)
        .onSuccess(v -> events.publish(
            new DomainEvent.PresenceChanged(uid, status.wireName(), lastSeen, System.currentTimeMillis())))
        .compose(v -> status == PresenceStatus.OFFLINE ? social.setLastSeen(uid, lastSeen) : Future.succeededFuture())
        .compose(v -> social.friendUids(uid))
        .compose(friends -> friends.isEmpty()
            ? Future.succeededFuture()
            : fanout.deliver(new Delivery(friends, Op.PRESENCE, frame, null)));
  }
}
