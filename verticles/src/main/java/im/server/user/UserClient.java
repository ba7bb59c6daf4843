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
import im.shared.bus.user.UserCommand;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * The typed client of the user service: each method sends one {@link UserCommand} to {@link Addresses#USER} on
 * this node and maps the reply to its record. Failures are {@link im.protocol.ImException}s: the service's own, or
 * {@code unavailable} when no {@link UserVerticle} answered.
 *
 * <p>Thread-safe and stateless; futures complete on the caller's context.
 */
public final class UserClient {

  /** Commands carry passwords: they never leave the node, nor wait for a cluster-wide lookup of the address. */
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;

  public UserClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Profile> register(String username, String password, String displayName) {
    return request(new UserCommand.Register(username, password, displayName), Profile::fromJson);
  }

  /** The account whose password this is; {@code unauthorized} otherwise. */
  public Future<SignedIn> login(String username, String password) {
    return request(new UserCommand.Login(username, password), SignedIn::fromJson);
  }

  /** Closes the account if {@code password} is its password; {@code unauthorized} otherwise. */
  public Future<SignedIn> close(String uid, String password) {
    return request(new UserCommand.CloseAccount(uid, password), SignedIn::fromJson);
  }

  public Future<Profile> profile(String uid) {
    return request(new UserCommand.ProfileByUid(uid), Profile::fromJson);
  }

  public Future<Profile> profileByUsername(String username) {
    return request(new UserCommand.ProfileByUsername(username), Profile::fromJson);
  }

  public Future<Profile> updateProfile(String uid, String displayName, boolean setAvatar, String avatarUrl) {
    return request(new UserCommand.UpdateProfile(uid, displayName, setAvatar, avatarUrl), Profile::fromJson);
  }

  public Future<FriendRequestSent> requestFriend(String uid, String to, String message) {
    return request(new UserCommand.SendFriendRequest(uid, to, message), FriendRequestSent::fromJson);
  }

  public Future<PendingRequests> friendRequests(String uid) {
    return request(new UserCommand.ListFriendRequests(uid), PendingRequests::fromJson);
  }

  public Future<Befriended> acceptFriend(String uid, String requestId) {
    return request(new UserCommand.AcceptFriendRequest(uid, requestId), Befriended::fromJson);
  }

  public Future<Void> rejectFriend(String uid, String requestId) {
    return request(new UserCommand.RejectFriendRequest(uid, requestId), done -> null);
  }

  public Future<FriendList> friends(String uid) {
    return request(new UserCommand.ListFriends(uid), FriendList::fromJson);
  }

  public Future<Void> unfriend(String uid, String friend) {
    return request(new UserCommand.Unfriend(uid, friend), done -> null);
  }

  public Future<Void> block(String uid, String other) {
    return request(new UserCommand.Block(uid, other), done -> null);
  }

  public Future<Void> unblock(String uid, String other) {
    return request(new UserCommand.Unblock(uid, other), done -> null);
  }

  public Future<BlockList> blocks(String uid) {
    return request(new UserCommand.ListBlocks(uid), BlockList::fromJson);
  }

  private <R> Future<R> request(UserCommand command, Function<JsonObject, R> reply) {
    return vertx.eventBus().<JsonObject>request(Addresses.USER, command.toJson(), LOCAL)
        .map(message -> reply.apply(message.body()))
        .recover(failure -> Future.failedFuture(unanswered(failure)
            ? ImException.unavailable("the user service did not answer; retry")
            : BusErrors.toImException(failure)));
  }

  private static boolean unanswered(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() != ReplyFailure.RECIPIENT_FAILURE;
  }
}
