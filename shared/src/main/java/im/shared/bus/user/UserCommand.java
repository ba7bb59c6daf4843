package im.shared.bus.user;

import im.protocol.ImException;
import io.vertx.core.json.JsonObject;

/**
 * The commands of the user service on {@link im.shared.bus.Addresses#USER}: accounts, profiles, friends and
 * blocks. On the bus each is a JSON object whose {@code op} names the command; unknown fields are ignored.
 * The replies are {@link Profile}, {@link FriendRequestSent}, {@link Befriended}, {@link PendingRequests},
 * {@link FriendList}, {@link BlockList}, or {@code {}} for commands that only succeed or fail; failures travel
 * as {@link ImException} through {@link im.shared.bus.BusErrors}.
 *
 * <p>{@code uid} in a command is the authenticated user acting; the service trusts it, so only code that has
 * checked a token sends commands.
 */
public sealed interface UserCommand {

  String OP_KEY = "op";

  JsonObject toJson();

  /** Fails with {@code bad_request} for an unknown {@code op} or a missing field. */
  static UserCommand fromJson(JsonObject json) {
    if (json == null || !(json.getValue(OP_KEY) instanceof String op)) {
      throw ImException.badRequest("user command without op");
    }
    return switch (op) {
      case Register.OP -> new Register(required(json, "username"), required(json, "password"), json.getString("displayName"));
      case Login.OP -> new Login(required(json, "username"), required(json, "password"));
      case ProfileByUid.OP -> new ProfileByUid(required(json, "uid"));
      case ProfileByUsername.OP -> new ProfileByUsername(required(json, "username"));
      case UpdateProfile.OP -> new UpdateProfile(required(json, "uid"), json.getString("displayName"),
          json.getBoolean("setAvatar", false), json.getString("avatarUrl"));
      case SendFriendRequest.OP -> new SendFriendRequest(required(json, "uid"), required(json, "to"), json.getString("message"));
      case ListFriendRequests.OP -> new ListFriendRequests(required(json, "uid"));
      case AcceptFriendRequest.OP -> new AcceptFriendRequest(required(json, "uid"), required(json, "requestId"));
      case RejectFriendRequest.OP -> new RejectFriendRequest(required(json, "uid"), required(json, "requestId"));
      case ListFriends.OP -> new ListFriends(required(json, "uid"));
      case Unfriend.OP -> new Unfriend(required(json, "uid"), required(json, "friend"));
      case Block.OP -> new Block(required(json, "uid"), required(json, "other"));
      case Unblock.OP -> new Unblock(required(json, "uid"), required(json, "other"));
      case ListBlocks.OP -> new ListBlocks(required(json, "uid"));
      case CloseAccount.OP -> new CloseAccount(required(json, "uid"), required(json, "password"));
      default -> throw ImException.badRequest("unknown user command: " + op);
    };
  }

  private static String required(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String text)) {
      throw ImException.badRequest("user command " + json.getString(OP_KEY) + " needs string " + field);
    }
    return text;
  }

  /** Reply {@link Profile}. {@code displayName} null means the username. */
  record Register(String username, String password, String displayName) implements UserCommand {
    public static final String OP = "register";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("username", username).put("password", password)
          .put("displayName", displayName);
    }
  }

  /** Checks the password; reply {@link SignedIn}, or {@code unauthorized}. Tokens are issued by the caller. */
  record Login(String username, String password) implements UserCommand {
    public static final String OP = "login";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("username", username).put("password", password);
    }
  }

  /** Reply {@link Profile}, or {@code not_found}. */
  record ProfileByUid(String uid) implements UserCommand {
    public static final String OP = "profile";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid);
    }
  }

  /** Case-insensitive; reply {@link Profile}, or {@code not_found}. */
  record ProfileByUsername(String username) implements UserCommand {
    public static final String OP = "profileByUsername";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("username", username);
    }
  }

  /** {@code displayName} null keeps it; {@code setAvatar} replaces the avatar with {@code avatarUrl} (null clears it). */
  record UpdateProfile(String uid, String displayName, boolean setAvatar, String avatarUrl) implements UserCommand {
    public static final String OP = "updateProfile";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("displayName", displayName)
          .put("setAvatar", setAvatar).put("avatarUrl", avatarUrl);
    }
  }

  /** Reply {@link FriendRequestSent}. */
  record SendFriendRequest(String uid, String to, String message) implements UserCommand {
    public static final String OP = "friendRequest";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("to", to).put("message", message);
    }
  }

  /** Requests sent to {@code uid}; reply {@link PendingRequests}. */
  record ListFriendRequests(String uid) implements UserCommand {
    public static final String OP = "friendRequests";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid);
    }
  }

  /** Reply {@link Befriended}. */
  record AcceptFriendRequest(String uid, String requestId) implements UserCommand {
    public static final String OP = "acceptFriendRequest";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("requestId", requestId);
    }
  }

  /** Reply {@code {}}. */
  record RejectFriendRequest(String uid, String requestId) implements UserCommand {
    public static final String OP = "rejectFriendRequest";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("requestId", requestId);
    }
  }

  /** Reply {@link FriendList}, with each friend's status as last announced to friends. */
  record ListFriends(String uid) implements UserCommand {
    public static final String OP = "friends";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid);
    }
  }

  /** Reply {@code {}}, or {@code not_found} when they are not friends. */
  record Unfriend(String uid, String friend) implements UserCommand {
    public static final String OP = "unfriend";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("friend", friend);
    }
  }

  /** Idempotent; reply {@code {}}. */
  record Block(String uid, String other) implements UserCommand {
    public static final String OP = "block";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("other", other);
    }
  }

  /** Idempotent; reply {@code {}}. */
  record Unblock(String uid, String other) implements UserCommand {
    public static final String OP = "unblock";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("other", other);
    }
  }

  /** Reply {@link BlockList}. */
  record ListBlocks(String uid) implements UserCommand {
    public static final String OP = "blocks";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid);
    }
  }

  /**
   * Closes the account of {@code uid} if {@code password} is its password; reply {@link SignedIn} whose
   * {@code tokenGeneration} is the account's new one (every token below it is refused), or {@code unauthorized}.
   */
  record CloseAccount(String uid, String password) implements UserCommand {
    public static final String OP = "close";

    @Override
    public JsonObject toJson() {
      return new JsonObject().put(UserCommand.OP_KEY, OP).put("uid", uid).put("password", password);
    }
  }
}
