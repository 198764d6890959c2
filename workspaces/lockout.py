"""Login limits, for workspace users (web login and password grant) and site operators (admin).

Two limits guard every password check, in this order:
1. per client address: after `threshold - 1` failed logins from one address within the window,
   that address is refused until the window ends. One address can therefore never lock a
   username by itself, so a stranger cannot shut a service account out from one machine. An IPv6
   address counts as its /64 network, the block one client is given;
2. per username (known or not, so a lock says nothing about which usernames exist): `threshold`
   failed logins within the window lock it for `duration` seconds, whatever the password. The
   counter is the account's, whichever spelling found it (`ADMIN`, fullwidth `ａｄｍｉｎ`), and a
   name that finds no account counts under its compared form (`workspaces.usernames`).

Each limit keeps two counters. Attempts are counted *before* their password is checked and
forgiven when they succeed, so concurrent guesses cannot slip past a limit while the first ones are
still being checked: an attempt that would go past it is refused unchecked and not counted.
Failures alone throttle the address or lock the username, so a burst of correct logins (a portal
that logs its users in from one server, a busy service account) may see one refused for a moment
but never shuts anybody out for the window.

The counters live in Django's cache, so every worker and node shares them: Redis in production
(`REDIS_URL`); Redis increments are atomic and outside any database transaction, so a failed token
request that is rolled back still counts. The client address is the one `PM_TRUSTED_PROXY` vouches
for (`workspaces.middleware.TrustedProxyMiddleware`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import F

from plumbing.metrics import LOCKOUTS
from plumbing.window_counters import check_and_count, count_each, extend_counters, forget_and_discount
from workspaces import audit
from workspaces.backends import SignInRefused, SignInUnavailable, verify_password
from workspaces.models import User, Workspace
from workspaces.usernames import fold_username

log = logging.getLogger(__name__)


def minutes(seconds: int) -> int:
    """How long a lock or a throttle lasts at most, in whole minutes, for the messages that say so."""
    return max(1, -(-seconds // 60))


class LoginRefused(Exception):
    """Too many failed logins: refused before the password is looked at, for up to `minutes`."""

    def __init__(self, who: str, minutes: int) -> None:
        super().__init__(who)
        self.minutes = minutes


class AccountLocked(LoginRefused):
    """The username is locked after too many failed logins."""


class AddressThrottled(LoginRefused):
    """The client address has failed too often; it waits for the window to end."""


@dataclass(frozen=True)
class Limits:
    threshold: int
    window: int
    duration: int

    @classmethod
    def of(cls, workspace: Workspace | None) -> Limits:
        """The workspace's settings; for site operators, PM_ADMIN_LOCKOUT_* from the environment."""
        if workspace is None:
            return cls(*settings.PM_ADMIN_LOCKOUT)
        return cls(workspace.lockout_threshold, workspace.lockout_window, workspace.lockout_duration)


def _key(kind: str, workspace: Workspace | None, value: str) -> str:
    # Hashed: usernames and addresses may hold anything; cache keys may not.
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"pm:login:{kind}:{workspace.pk if workspace else 'operators'}:{digest}"


def address_bucket(address: str) -> str:
    """What the per-address limit counts by: an IPv4 address, or an IPv6 address's /64 (an IPv4
    address mapped into IPv6 counts as itself)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def account_key(account: User | None, username: str) -> str:
    """What the per-username limit counts by: the account the name found, whatever its spelling,
    else the name's compared form."""
    return f"account:{account.pk}" if account is not None else f"name:{fold_username(username)[:255]}"


class Attempt:
    """One login attempt, counted before its password is checked; its failure counted after.
    `account`: the user the typed name found (None: no such user)."""

    def __init__(
        self, workspace: Workspace | None, username: str, address: str, via: str, account: User | None = None
    ) -> None:
        self.workspace, self.via = workspace, via
        self.limits = Limits.of(workspace)
        self.user_key = _key("user", workspace, account_key(account, username))
        self.address_key = _key("address", workspace, address_bucket(address))
        # Attempts (counted before the check) under the keys above; failures, and the flags that
        # they alone set, beside them.
        self.address_failures, self.user_failures = f"{self.address_key}:failed", f"{self.user_key}:failed"
        self.blocked, self.locked = f"{self.address_key}:blocked", f"{self.user_key}:locked"
        self.username, self.address = username, address

    @property
    def address_limit(self) -> int:
        """Failures one address may have in a window: one fewer than lock a username."""
        return max(self.limits.threshold - 1, 1)

    def begin(self) -> None:
        """Count the attempt; LoginRefused if it is one too many."""
        limits = self.limits
        # One round trip to Redis: the two flags, then the address's count, then the username's.
        flag, counts = check_and_count(
            [self.blocked, self.locked],
            [(self.address_key, self.address_limit), (self.user_key, limits.threshold)],
            limits.window,
        )
        if flag is not None:
            raise self.throttled() if flag == self.blocked else self.locked_out()
        over_address = counts[0] > self.address_limit
        if over_address or counts[1] > limits.threshold:
            # Too many failed or still being checked: refused unchecked, so not counted either
            # (the script counted the username only if the address was within its limit).
            counted = [self.address_key, self.user_key][: len(counts)]
            forget_and_discount([], counted)
            raise self.throttled() if over_address else self.locked_out()

    def throttled(self) -> AddressThrottled:
        return AddressThrottled(self.address, minutes(self.limits.window))

    def locked_out(self) -> AccountLocked:
        return AccountLocked(self.username, minutes(self.limits.duration))

    def failed(self) -> None:
        self.record(audit.Event.LOGIN_FAILED)
        address_failures, user_failures = count_each([self.address_failures, self.user_failures], self.limits.window)
        if address_failures >= self.address_limit:
            self.throttle()
        if user_failures >= self.limits.threshold:
            self.lock()

    def succeeded(self, user: User | None = None) -> None:
        """`user`: given where a success is worth an audit row (web and admin logins; a password
        grant's success is routine token issuance, counted by metrics instead)."""
        if user is not None:
            self.record(audit.Event.LOGIN_SUCCEEDED, user=user)
        # The username starts afresh; a success is no failure of the address.
        forget_and_discount([self.user_key, self.user_failures], [self.address_key])

    def abandoned(self) -> None:
        """The password could not be checked (its directory did not answer): the attempt counts as
        neither a success nor a failure."""
        forget_and_discount([], [self.address_key, self.user_key])

    def throttle(self) -> None:
        if not cache.add(self.blocked, True, timeout=self.limits.window):
            return  # a racing failure throttled it already
        log.warning("address %s throttled after repeated failed logins (%s)", self.address, self.where)
        self.record(audit.Event.ADDRESS_THROTTLED)
        LOCKOUTS.labels(self.metric_label, "address").inc()

    def lock(self) -> None:
        cache.set(self.locked, True, timeout=self.limits.duration)
        # The counts stay (racing attempts still see them over the limit) and end with the lock,
        # so the username starts afresh once the lock is over.
        extend_counters([self.user_key, self.user_failures], self.limits.duration)
        log.warning("username %r locked after repeated failed logins (%s)", self.username[:100], self.where)
        self.record(audit.Event.USERNAME_LOCKED)
        LOCKOUTS.labels(self.metric_label, "username").inc()

    def record(self, event: audit.Event, user: User | None = None) -> None:
        audit.record(event, self.workspace, user=user, address=self.address, username=self.username[:100], via=self.via)

    @property
    def metric_label(self) -> str:
        return self.workspace.name if self.workspace else "(operators)"

    @property
    def where(self) -> str:
        return f"workspace {self.workspace.name}" if self.workspace else "site operators"


def authenticate_with_lockout(
    workspace: Workspace,
    username: str,
    password: str,
    address: str,
    *,
    via: str,
    audit_success: bool = True,
    on_failure: Callable[[User], None] | None = None,
    verify: Callable[[User | None, str], User | None] = verify_password,
) -> User | None:
    """The workspace user these credentials belong to, or None; LoginRefused while limited,
    `backends.SignInUnavailable` (counted neither way) when `verify` could not check the password,
    `backends.SignInRefused` (counted as a failure) when the directory refused the account itself.
    `via` names the way in for the audit log ("web login", "password grant"); `on_failure` is called
    with the account when the username found one but the login failed (the deactivation rule);
    `verify` checks the password (the directory's check for directory users: oauth_apps.signin)."""
    account = User.objects.find_in_workspace(workspace, username)
    attempt = Attempt(workspace, username, address, via, account)
    attempt.begin()
    try:
        user = verify(account, password)
    except SignInUnavailable:
        attempt.abandoned()
        raise
    except SignInRefused:
        attempt.failed()  # a failed login, with a reason; not a guess the deactivation rule counts
        raise
    if user is None:
        attempt.failed()
        if account is not None and on_failure is not None:
            on_failure(account)
        return None
    attempt.succeeded(user if audit_success else None)
    if user.failed_logins:
        User.objects.filter(pk=user.pk).update(failed_logins=0)  # consecutive failures only
        user.failed_logins = 0
    return user


def address_throttled(workspace: Workspace | None, address: str) -> bool:
    """Whether `address` is refused for failed logins (the second step asks before checking a code)."""
    return bool(cache.get(Attempt(workspace, "", address, "").blocked))


def count_address_failure(workspace: Workspace | None, address: str, via: str) -> None:
    """A failure that counts against the client address alone (a wrong second-factor code): the
    per-address limit is shared with password failures."""
    attempt = Attempt(workspace, "", address, via)
    (failures,) = count_each([attempt.address_failures], attempt.limits.window)
    if failures >= attempt.address_limit:
        attempt.throttle()


def count_failed_login(account: User, address: str, via: str) -> bool:
    """Count a failed login of an existing account for its workspace's deactivation rule
    (`failed_logins_deactivate`, ProcessMaker's PPP_FAILED_LOGINS); True when this failure set the
    account INACTIVE (audited). The count is a column, so every node shares it; the conditional
    UPDATE deactivates once however many failures race."""
    workspace = account.workspace
    limit = workspace.failed_logins_deactivate if workspace is not None else 0
    if not limit or not account.is_active:
        return False
    accounts = User.objects.filter(pk=account.pk)
    accounts.update(failed_logins=F("failed_logins") + 1)
    if not accounts.filter(status=User.Status.ACTIVE, failed_logins__gte=limit).update(status=User.Status.INACTIVE):
        return False
    account.status = User.Status.INACTIVE
    log.warning("user %r of workspace %s deactivated after %d failed logins", account.username[:100], workspace, limit)
    audit.record(
        audit.Event.USER_DEACTIVATED_FAILED_LOGINS, workspace, user=account, address=address, via=via, failures=limit
    )
    return True
