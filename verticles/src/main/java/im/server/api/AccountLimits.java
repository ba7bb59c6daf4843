package im.server.api;

import im.shared.config.ImConfig;
import im.shared.limits.RetryLater;
import im.shared.limits.Throttle;
import im.shared.limits.Throttle.Rule;
import io.vertx.core.Future;

import java.util.List;
import java.util.Locale;

/**
 * The throttles of login and registration (docs/protocol.md §4 accounts, §1 {@code limits.*}): failed logins per
 * username and per client address, registrations per client address, counted cluster-wide in Redis
 * ({@link Throttle}). Only failures count toward the login limits, so successful logins are never slowed; while a
 * username or address is over its limit every login for it is refused, right password or not, before the password
 * is even looked at.
 *
 * <p>Thread-safe and stateless; futures complete on the caller's context and fail with {@link RetryLater}.
 */
final class AccountLimits {

  private static final long HOUR_SECONDS = 3600;

  /** No throttling at all: for routers tested alone, without Redis. */
  static final AccountLimits OFF = new AccountLimits(null, new ImConfig.Limits(0, 0, 1, 0, 0));

  private final Throttle throttle;
  private final ImConfig.Limits limits;

  AccountLimits(Throttle throttle, ImConfig.Limits limits) {
    this.throttle = throttle;
    this.limits = limits;
  }

  /** Fails with {@link RetryLater} while the username or the address has too many recent failed logins. */
  Future<Void> beforeLogin(String username, String address) {
    return before(userRule(username), address);
  }

  /** Counts a wrong password (or unknown username) against both. */
  Future<Void> failedLogin(String username, String address) {
    return failed(userRule(username), address);
  }

  /**
   * The same limits for the password check of closing an account: a stolen token must not become a way to guess
   * its user's password at hashing speed. The account is counted by uid.
   */
  Future<Void> beforeClose(String uid, String address) {
    return before(accountRule(uid), address);
  }

  Future<Void> failedClose(String uid, String address) {
    return failed(accountRule(uid), address);
  }

  private Future<Void> before(Rule user, String address) {
    if (throttle == null) {
      return Future.succeededFuture();
    }
    return throttle.blockedFor(List.of(user, addressRule(address))).compose(wait -> wait == 0
        ? Future.succeededFuture()
        : Future.failedFuture(new RetryLater("too many failed password checks; retry later", wait)));
  }

  private Future<Void> failed(Rule user, String address) {
    return throttle == null ? Future.succeededFuture() : throttle.count(List.of(user, addressRule(address)));
  }

  /** Counts a registration attempt; fails with {@link RetryLater} past the address's hourly limit. */
  Future<Void> register(String address) {
    if (throttle == null) {
      return Future.succeededFuture();
    }
    return throttle.take(new Rule("register:" + address, limits.registrationsPerAddressPerHour(), HOUR_SECONDS))
        .compose(wait -> wait == 0
            ? Future.succeededFuture()
            : Future.failedFuture(new RetryLater("too many registrations from this address; retry later", wait)));
  }

  private Rule userRule(String username) {
    return new Rule("login-user:" + username.toLowerCase(Locale.ROOT), limits.failedLoginsPerUser(),
        limits.failedLoginWindowSeconds());
  }

  private Rule accountRule(String uid) {
    return new Rule("close-uid:" + uid, limits.failedLoginsPerUser(), limits.failedLoginWindowSeconds());
  }

  private Rule addressRule(String address) {
    return new Rule("login-addr:" + address, limits.failedLoginsPerAddress(), limits.failedLoginWindowSeconds());
  }
}
