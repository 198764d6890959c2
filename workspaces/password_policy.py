"""A workspace's password policy (ProcessMaker's PPP_* constants, plus two checks of NIST SP 800-63B):
the one judge of every password set for a workspace's user, on every path (the REST API, the
admin, the commands, a reset). Operators of the site itself are judged by Django's
AUTH_PASSWORD_VALIDATORS instead.

A new workspace gets NIST's shape: 8 to 128 characters, no composition rules, common passwords and
passwords containing the username refused. Each rule broken is named, in ProcessMaker's words where
it has the rule ("Your password does not meet the following password policies: - Minimum length: 8.").
"""

from __future__ import annotations

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

from workspaces import errors
from workspaces.models import Workspace
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


def is_common(password: str) -> bool:
    try:
        _common.validate(password)
    except ValidationError:
        return True
    return False


def contains_username(password: str, username: str) -> bool:
    """Whether the password, folded as usernames are, contains the folded username."""
    return fold_username(username.strip()) in fold_username(password)


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
        if broken:
            raise ValidationError(policy_message(broken), code="password_policy")

    def get_help_text(self) -> str:
        return (
            "The workspace's password policy: by default 8 to 128 characters, not a common password, not the username."
        )
