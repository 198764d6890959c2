"""A workspace's password policy (ProcessMaker's PPP_* constants, plus two checks of NIST SP 800-63B):
the one judge of every password set for a workspace's user, on every path (the REST API, the
admin, the commands, a reset). Operators of the site itself are judged by Django's
AUTH_PASSWORD_VALIDATORS instead.

A new workspace gets NIST's shape: 8 to 128 characters, no composition rules, no expiry, no history,
common passwords and passwords containing the username refused. Each rule broken is named, in ProcessMaker's words where
it has the rule ("Your password does not meet the following password policies: - Minimum length: 8.").
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils import timezone

from workspaces import errors
from workspaces.models import UsedPassword, User, Workspace
from workspaces.usernames import fold_username

DIGITS = frozenset("0123456789")  # ProcessMaker's [0-9]
_common = CommonPasswordValidator()  # Django's list of 20,000 common passwords, read once


def broken_rules(workspace: Workspace, password: str, username: str = "") -> list[str]:
    """What `password` breaks of `workspace`'s policy, each in the words shown for it; [] when none."""
    broken = []
    if len(password) < workspace.password_min_length:
        broken.append(errors.PASSWORD_MINIMUM_LENGTH.format(length=workspace.password_min_length))
    if len(password) > workspace.password_max_length:
        broken.append(errors.PASSWORD_MAXIMUM_LENGTH.format(length=workspace.password_max_length))
    if workspace.password_needs_digit and not DIGITS.intersection(password):
        broken.append(errors.PASSWORD_DIGIT)
    if workspace.password_needs_uppercase and not any(character.isupper() for character in password):
        broken.append(errors.PASSWORD_UPPERCASE)
    if workspace.password_needs_special and all(character.isalnum() for character in password):
        broken.append(errors.PASSWORD_SPECIAL)  # a special character: any that is not a letter or a digit
    if workspace.password_refuses_common and is_common(password):
        broken.append(errors.PASSWORD_COMMON)
    if workspace.password_refuses_username and username.strip() and contains_username(password, username):
        broken.append(errors.PASSWORD_USERNAME)
    return broken


def describe(workspace: Workspace) -> list[str]:
    """The policy's rules in plain words, for the pages that ask for a new password."""
    rules = [f"{workspace.password_min_length} to {workspace.password_max_length} characters"]
    wanted = [
        (workspace.password_needs_digit, "a digit"),
        (workspace.password_needs_uppercase, "an upper-case letter"),
        (workspace.password_needs_special, "a character that is neither a letter nor a digit"),
        (workspace.password_refuses_common, "not a commonly used password"),
        (workspace.password_refuses_username, "not containing your username"),
        (workspace.password_history > 0, f"not one of your last {workspace.password_history} passwords"),
    ]
    return rules + [rule for applies, rule in wanted if applies]


def is_common(password: str) -> bool:
    try:
        _common.validate(password)
    except ValidationError:
        return True
    return False


def contains_username(password: str, username: str) -> bool:
    """Whether the password, folded as usernames are, contains the folded username."""
    return fold_username(username.strip()) in fold_username(password)


def recent_hashes(workspace: Workspace, user: User) -> list[str]:
    """The hashes of the user's last `password_history` passwords, the current one first (as stored:
    the caller may have set a new one on `user` already)."""
    if not workspace.password_history or user.pk is None:
        return []
    current = User.objects.filter(pk=user.pk).values_list("password", flat=True).first()
    earlier = UsedPassword.objects.filter(user_id=user.pk).values_list("password", flat=True)
    return [current or "", *earlier[: workspace.password_history - 1]]


def reuses_recent(workspace: Workspace, password: str, user: User) -> bool:
    """Whether `password` is one of the user's last `password_history` (each hash checked with its own
    verifier, imported ProcessMaker hashes included)."""
    return any(check_password(password, hashed) for hashed in recent_hashes(workspace, user) if hashed)


def remember_replaced(user: User, replaced_hash: str) -> None:
    """Keep the hash a new password replaced, for the history rule, and no more of them than it reads."""
    keep = max((user.workspace.password_history if user.workspace else 0) - 1, 0)
    if keep and replaced_hash:
        UsedPassword.objects.create(user=user, password=replaced_hash)
    stale = UsedPassword.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    UsedPassword.objects.filter(pk__in=list(stale)).delete()


class ChangeReason(enum.Enum):
    """Why a user must choose a new password before going on (ProcessMaker's login checks)."""

    MUST_CHANGE = "must_change"  # an administrator's tick, ProcessMaker's USR_LOGGED_NEXT_TIME, a reset
    EXPIRED = "expired"  # older than the workspace's password_expiry_days
    NONCOMPLIANT = "noncompliant"  # the password typed no longer meets the workspace's policy


def password_set_at(user: User) -> datetime:
    return user.credentials_changed_at or user.created


def change_reason(user: User, typed_password: str | None, now: datetime | None = None) -> ChangeReason | None:
    """Why `user` must change their password now, or None. `typed_password`: the password just
    checked at a login (ProcessMaker judges it by the current policy); None where it is not known."""
    workspace = user.workspace
    if workspace is None or user.auth_source_id is not None:
        return None  # a directory user's password is the directory's to judge (docs/policies.md)
    if user.must_change_password:
        return ChangeReason.MUST_CHANGE
    days = workspace.password_expiry_days
    if days and password_set_at(user) + timedelta(days=days) <= (now or timezone.now()):
        return ChangeReason.EXPIRED
    if typed_password is not None and broken_rules(workspace, typed_password, user.username):
        return ChangeReason.NONCOMPLIANT
    return None


def policy_message(broken: list[str]) -> str:
    """ProcessMaker's alert followed by each rule broken."""
    return " ".join([errors.PASSWORD_POLICY_ALERT, *(f"- {rule}" for rule in broken)])


class PasswordPolicyValidator:
    """Django's password validation (AUTH_PASSWORD_VALIDATORS) as this project has it, so that every
    path that calls `validate_password(password, user)` (the services, the REST API, the admin's
    forms) judges alike: a workspace's user by the workspace's policy, a site operator (no
    workspace) by a new workspace's (NIST's shape)."""

    def validate(self, password: str, user: object = None) -> None:
        workspace = getattr(user, "workspace", None) or Workspace()
        broken = broken_rules(workspace, password, str(getattr(user, "username", "") or ""))
        if isinstance(user, User) and reuses_recent(workspace, password, user):
            broken.append(errors.PASSWORD_HISTORY.format(count=workspace.password_history))
        if broken:
            raise ValidationError(policy_message(broken), code="password_policy")

    def get_help_text(self) -> str:
        return (
            "The workspace's password policy: by default 8 to 128 characters, not a common password, not the username."
        )
