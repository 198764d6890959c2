"""The one place a workspace user's password is checked, for the web login and the password grant:
the login limits (workspaces.lockout), the password checked here or in the user's directory
(directory.signin), then the workspace's rule that deactivates an account after failed logins, whose
deactivation ends the account's tokens here, on the OAuth floor. A sign-in without a password (a
passkey alone) asks a directory user's directory too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from directory import signin as directory_signin
from oauth_apps.revocation import revoke_tokens
from workspaces import audit, lockout
from workspaces.backends import SignInRefused
from workspaces.models import User, Workspace


def check_password(
    workspace: Workspace,
    username: str,
    password: str,
    address: str,
    *,
    via: str,
    audit_success: bool = True,
    defer: Callable[[Callable[[], object]], None] | None = None,
) -> User | None:
    """The workspace user these credentials belong to, or None; `lockout.LoginRefused` while limited.
    `defer`: where a failure's lasting work goes when the caller's transaction will be rolled back
    (the token endpoint's `after_failure`); by default it is done at once."""

    def failed(account: User) -> None:
        task = partial(count_failure, account, address, via)
        task() if defer is None else defer(task)

    name = directory_signin.resolve_name(workspace, username)
    verify = partial(directory_signin.verify, workspace=workspace, name=name)
    try:
        return lockout.authenticate_with_lockout(
            workspace, name, password, address,
            via=via, audit_success=audit_success, on_failure=failed, verify=verify,
        )  # fmt: skip
    except SignInRefused as refused:
        if refused.retire:
            task = partial(retire, refused.account, refused.reason, address, via)
            task() if defer is None else defer(task)
        raise


def check_without_password(user: User, address: str, *, via: str) -> User | None:
    """`user`, found by a credential other than a password (a passkey), if they may still log in: for
    a directory user, the directory is asked whether the account is still there and enabled (an
    account disabled or removed there since is deactivated here). SignInUnavailable when it does
    not answer."""
    if user.auth_source_id is None:
        return user if user.can_log_in() else None
    try:
        return directory_signin.still_there(user)
    except SignInRefused as refused:
        retire(refused.account, refused.reason, address, via)
        return None


def retire(account: User, reason: str, address: str, via: str) -> None:
    """An account its directory has disabled, expired or retired: INACTIVE here, its tokens ended."""
    if User.objects.filter(pk=account.pk, status=User.Status.ACTIVE).update(status=User.Status.INACTIVE):
        audit.record(
            audit.Event.USER_STATUS_CHANGED, account.workspace_id, user=account, address=address, via=via,
            old=User.Status.ACTIVE, new=User.Status.INACTIVE, why=f"directory: {reason}",
        )  # fmt: skip
        revoke_tokens(user=account, owned_by=account, why=f"directory: {reason}")


def count_failure(account: User, address: str, via: str) -> None:
    """A failed login of an existing account; when it deactivates the account, its tokens end (with
    the client_credentials tokens of the clients it owns, which act as it)."""
    if lockout.count_failed_login(account, address, via):
        revoke_tokens(user=account, owned_by=account, why="deactivated after failed logins")
