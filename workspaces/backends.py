"""Authentication backends: workspace users by (workspace, username), operators by username."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from workspaces.hashers import COSTS_ONE_ARGON2
from workspaces.models import User, Workspace


class SignInUnavailable(Exception):
    """The password could not be checked (a directory that does not answer): neither a success nor a
    failure, so the login limits and the deactivation rule do not count it."""


class SignInRefused(Exception):
    """The directory refused the account itself, not the password's guess: `reason` names why for the
    web login's page (Active Directory's codes: password expired, account disabled, ...), `retire`
    says the account is gone there (disabled, expired, in the retired OU) and is deactivated here."""

    def __init__(self, reason: str, account: User, *, retire: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.account, self.retire = reason, account, retire


@cache
def dummy_argon2_hash() -> str:
    """The hash an unknown user's password is checked against: made once per process, at the
    hasher's cost."""
    return make_password("a password nobody has")


def spend_one_argon2_check(password: str) -> None:
    """As long as checking a password against a real Argon2id hash (and always False)."""
    check_password(password, dummy_argon2_hash())


def verify_password(user: User | None, password: str) -> User | None:
    """`user` if `password` is theirs and they may log in, else None; every failure, an unknown user
    (None) included, costs one Argon2id verification (see WorkspaceBackend)."""
    if user is None:
        spend_one_argon2_check(password)
        return None
    if user.check_password(password):
        return user if user.can_log_in() else None
    if not user.password.startswith(COSTS_ONE_ARGON2):
        # A bare ProcessMaker digest (or no password) answers in microseconds; without this a
        # stopwatch would tell those accounts from the rest.
        spend_one_argon2_check(password)
    return None


class WorkspaceBackend(ModelBackend):
    """Authenticates a user of one workspace with ProcessMaker's rules.

    Wrong password, unknown user, inactive user, a past due date and an inactive role
    all give `None`. Every failed check costs one Argon2id verification, whatever the account
    (unknown, an Argon2id hash, an imported unsalted ProcessMaker hash), so timing says nothing
    about which usernames exist or how they are stored (bench/login_timing.py measures it).
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        workspace: Workspace | None = None,
        **kwargs: Any,
    ) -> User | None:
        if workspace is None or username is None or password is None:
            return None
        return verify_password(User.objects.find_in_workspace(workspace, username), password)

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(user.can_log_in())

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User.objects.select_related("role", "workspace").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.can_log_in() else None


class OperatorBackend(ModelBackend):
    """The Django admin's backend, limited to site operators (users without a workspace)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if "workspace" in kwargs:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[return-value]
