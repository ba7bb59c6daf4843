package im.server.user;

import im.protocol.ImException;
import im.protocol.Validation;
import im.shared.auth.PasswordHasher;
import im.shared.bus.user.Profile;
import im.shared.bus.user.SignedIn;
import im.shared.store.UserStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts and profiles ({@code docs/protocol.md §4} accounts): the rules on usernames, passwords, display names
 * and avatars, and the password check. Hashing runs on worker threads ({@link PasswordHasher}).
 *
 * <p>Input that breaks a rule throws {@code bad_request} before any I/O; {@link UserVerticle} calls from within a
 * future composition, which turns the throw into a failed reply. Thread-safe, non-blocking.
 */
public final class Accounts {

  private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);

  private static final int MIN_PASSWORD = 8;
  private static final int MAX_PASSWORD = 128;
  private static final int MAX_DISPLAY_NAME = 64;
  private static final int MAX_AVATAR_URL = 2048;

  private final UserStore users;
  private final PasswordHasher hasher;

  public Accounts(UserStore users, PasswordHasher hasher) {
    this.users = users;
    this.hasher = hasher;
  }

  /** Fails with {@code bad_request} for a username, password or display name out of bounds, {@code conflict} when taken. */
  public Future<Profile> register(String username, String password, String displayName) {
    Validation.username(username);
    int length = password.codePointCount(0, password.length());
    if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
      throw ImException.badRequest("password must be " + MIN_PASSWORD + "-" + MAX_PASSWORD + " characters");
    }
    String name = displayName == null ? username : displayName(displayName);
    return hasher.hash(password)
        .compose(hash -> users.create(username, hash, name))
        .map(Accounts::profile);
  }

  /**
   * Fails with {@code unauthorized} for an unknown username, a closed account or a wrong password, without telling
   * which. A hash weaker than today's settings is replaced after the answer, so the login is not slowed.
   */
  public Future<SignedIn> login(String username, String password) {
    return users.findByUsername(username)
        .compose(user -> user == null
            // Spend the same time as a real check, so response times do not tell which usernames exist.
            ? hasher.hash(password).map(ignored -> (UserStore.User) null)
            : hasher.verify(password, user.passwordHash()).map(matches -> matches ? user : null))
        .compose(user -> {
          if (user == null) {
            return Future.failedFuture(ImException.unauthorized("wrong username or password"));
          }
          if (hasher.needsRehash(user.passwordHash())) {
            upgrade(user, password);
          }
          return Future.succeededFuture(new SignedIn(profile(user), user.tokenGeneration()));
        });
  }

  /**
   * Closes the account if {@code password} is its password (docs/protocol.md §4 accounts): it can no longer sign
   * in and its tokens are refused; its messages stay. Fails with {@code unauthorized} for a wrong password.
   *
   * @return the account with its new token generation, which the caller announces to every node
   */
  public Future<SignedIn> close(String uid, String password) {
    return users.findByUid(uid)
        .compose(user -> user == null
            ? hasher.hash(password).map(ignored -> (UserStore.User) null)
            : hasher.verify(password, user.passwordHash()).map(matches -> matches ? user : null))
        .compose(user -> user == null
            ? Future.failedFuture(ImException.unauthorized("wrong password"))
            : users.close(uid, System.currentTimeMillis()).map(generation -> new SignedIn(profile(user), generation)));
  }

  private void upgrade(UserStore.User user, String password) {
    hasher.hash(password)
        .compose(stronger -> users.setPasswordHash(user.uid(), stronger))
        .onFailure(failure -> LOG.warn("password hash of {} not upgraded: {}", user.uid(), failure.getMessage()));
  }

  public Future<Profile> byUid(String uid) {
    return users.findByUid(uid).compose(Accounts::found);
  }

  public Future<Profile> byUsername(String username) {
    return users.findByUsername(username).compose(Accounts::found);
  }

  /**
   * @param displayName the new display name, or {@code null} to keep it
   * @param setAvatar   whether to replace the avatar with {@code avatarUrl} (null removes it)
   */
  public Future<Profile> updateProfile(String uid, String displayName, boolean setAvatar, String avatarUrl) {
    if (avatarUrl != null && (avatarUrl.isBlank() || avatarUrl.length() > MAX_AVATAR_URL)) {
      throw ImException.badRequest("avatarUrl must be 1-" + MAX_AVATAR_URL + " characters, or null to remove it");
    }
    if (avatarUrl != null) {
      ProfileText.avatarUrl(avatarUrl);
    }
    String name = displayName == null ? null : displayName(displayName);
    return users.updateProfile(uid, name, setAvatar, avatarUrl).map(Accounts::profile);
  }

  private static Future<Profile> found(UserStore.User user) {
    return user == null ? Future.failedFuture(ImException.notFound("no such user")) : Future.succeededFuture(profile(user));
  }

  private static Profile profile(UserStore.User user) {
    return new Profile(user.uid(), user.username(), user.displayName(), user.avatarUrl());
  }

  private static String displayName(String raw) {
    String name = ProfileText.withoutControls(raw).strip();
    int length = name.codePointCount(0, name.length());
    if (length < 1 || length > MAX_DISPLAY_NAME) {
      throw ImException.badRequest("displayName must be 1-" + MAX_DISPLAY_NAME + " characters");
    }
    return name;
  }
}
