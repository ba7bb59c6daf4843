package im.server.user;

import im.protocol.ImException;
import im.shared.bus.Addresses;
import im.shared.bus.BusErrors;
import im.shared.bus.user.Befriended;
import im.shared.bus.user.BlockList;
import im.shared.bus.user.FriendList;
import im.shared.bus.user.FriendRequestSent;
import im.shared.bus.user.PendingRequests;
import im.shared.bus.user.Profile;
import im.shared.bus.user.SignedIn;
import im.shared.bus.user.UserCommand.CloseAccount;
import im.shared.bus.user.UserCommand;
import im.shared.bus.user.UserCommand.AcceptFriendRequest;
import im.shared.bus.user.UserCommand.Block;
import im.shared.bus.user.UserCommand.ListBlocks;
import im.shared.bus.user.UserCommand.ListFriendRequests;
import im.shared.bus.user.UserCommand.ListFriends;
import im.shared.bus.user.UserCommand.Login;
import im.shared.bus.user.UserCommand.ProfileByUid;
import im.shared.bus.user.UserCommand.ProfileByUsername;
import im.shared.bus.user.UserCommand.Register;
import im.shared.bus.user.UserCommand.RejectFriendRequest;
import im.shared.bus.user.UserCommand.SendFriendRequest;
import im.shared.bus.user.UserCommand.Unblock;
import im.shared.bus.user.UserCommand.Unfriend;
import im.shared.bus.user.UserCommand.UpdateProfile;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user service: answers the {@link UserCommand}s sent to {@link Addresses#USER} by {@link UserClient}s of this
 * node (the HTTP routes). It only dispatches; {@link Accounts}, {@link Friends} and {@link Blocks} hold the rules.
 *
 * <p>The address is local: every node serves its own users' requests from the shared PostgreSQL, so nothing is
 * gained by crossing nodes. The verticle keeps no state, so several instances may share the address (the bus
 * round-robins between them). Handlers run on this verticle's event loop and never block: password hashing runs
 * on worker threads.
 */
public final class UserVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(UserVerticle.class);

  private final Accounts accounts;
  private final Friends friends;
  private final Blocks blocks;
  private MessageConsumer<JsonObject> consumer;

  public UserVerticle(Accounts accounts, Friends friends, Blocks blocks) {
    this.accounts = accounts;
    this.friends = friends;
    this.blocks = blocks;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(Addresses.USER, this::handle);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  private void handle(Message<JsonObject> message) {
    Future.succeededFuture(message.body())
        .map(UserVerticle::parse)
        .compose(this::dispatch)
        .onSuccess(message::reply)
        .onFailure(failure -> {
          if (!(failure instanceof ImException)) {
            LOG.error("user command {} failed", message.body() == null ? null : message.body().getValue(UserCommand.OP_KEY), failure);
          }
          BusErrors.fail(message, failure);
        });
  }

  private static UserCommand parse(JsonObject body) {
    try {
      return UserCommand.fromJson(body);
    } catch (ClassCastException e) {
      throw ImException.badRequest("malformed user command: " + e.getMessage());
    }
  }

  /** Runs {@code command}; a rule it breaks may throw, which fails the returned future (compose catches it). */
  private Future<JsonObject> dispatch(UserCommand command) {
    if (command instanceof Register c) {
      return accounts.register(c.username(), c.password(), c.displayName()).map(Profile::toJson);
    } else if (command instanceof Login c) {
      return accounts.login(c.username(), c.password()).map(SignedIn::toJson);
    } else if (command instanceof CloseAccount c) {
      return accounts.close(c.uid(), c.password()).map(SignedIn::toJson);
    } else if (command instanceof ProfileByUid c) {
      return accounts.byUid(c.uid()).map(Profile::toJson);
    } else if (command instanceof ProfileByUsername c) {
      return accounts.byUsername(c.username()).map(Profile::toJson);
    } else if (command instanceof UpdateProfile c) {
      return accounts.updateProfile(c.uid(), c.displayName(), c.setAvatar(), c.avatarUrl()).map(Profile::toJson);
    } else if (command instanceof SendFriendRequest c) {
      return friends.request(c.uid(), c.to(), c.message()).map(FriendRequestSent::toJson);
    } else if (command instanceof ListFriendRequests c) {
      return friends.incoming(c.uid()).map(PendingRequests::toJson);
    } else if (command instanceof AcceptFriendRequest c) {
      return friends.accept(c.uid(), c.requestId()).map(Befriended::toJson);
    } else if (command instanceof RejectFriendRequest c) {
      return friends.reject(c.uid(), c.requestId()).map(v -> new JsonObject());
    } else if (command instanceof ListFriends c) {
      return friends.list(c.uid()).map(FriendList::toJson);
    } else if (command instanceof Unfriend c) {
      return friends.unfriend(c.uid(), c.friend()).map(v -> new JsonObject());
    } else if (command instanceof Block c) {
      return blocks.block(c.uid(), c.other()).map(v -> new JsonObject());
    } else if (command instanceof Unblock c) {
      return blocks.unblock(c.uid(), c.other()).map(v -> new JsonObject());
    } else if (command instanceof ListBlocks c) {
      return blocks.list(c.uid()).map(BlockList::toJson);
    }
    throw new IllegalStateException("unhandled user command " + command);
  }
}
