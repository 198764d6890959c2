"""Login lockout: N failed logins for one username within a window lock it for a while.

The numbers are workspace settings (10 failures, 15 minutes, 15 minutes by default).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from workspaces.models import LoginLock, User, Workspace, fold_username

log = logging.getLogger(__name__)
MAX_USERNAME_LENGTH = 100


def _key(username: str) -> str:
    return fold_username(username)[:MAX_USERNAME_LENGTH]


def is_locked(workspace: Workspace, username: str) -> bool:
    return LoginLock.objects.filter(
        workspace=workspace, username_folded=_key(username), locked_until__gt=timezone.now()
    ).exists()


def record_failure(workspace: Workspace, username: str) -> None:
    """Count one failed login; the threshold-th failure within the window locks the username."""
    now = timezone.now()
    key = _key(username)
    try:
        with transaction.atomic():
            lock, _ = LoginLock.objects.select_for_update().get_or_create(workspace=workspace, username_folded=key)
            if lock.window_started < now - timedelta(seconds=workspace.lockout_window) or lock.failures == 0:
                lock.window_started, lock.failures = now, 0
            lock.failures += 1
            if lock.failures >= workspace.lockout_threshold:
                lock.locked_until = now + timedelta(seconds=workspace.lockout_duration)
                lock.failures = 0
                log.warning("username %r locked in workspace %s after repeated failed logins", key, workspace.name)
            lock.save()
    except IntegrityError:
        # Two first failures raced to create the row; the other one counted. Count this one too.
        record_failure(workspace, username)


def record_success(workspace: Workspace, username: str) -> None:
    LoginLock.objects.filter(workspace=workspace, username_folded=_key(username)).delete()


class AccountLocked(Exception):
    """The username is locked after too many failed logins."""


def authenticate_with_lockout(workspace: Workspace, username: str, password: str) -> User | None:
    """The workspace user these credentials belong to, or None; AccountLocked while locked.

    A locked username is refused before its password is checked, whatever the password.
    """
    if is_locked(workspace, username):
        raise AccountLocked(username)
    user = authenticate(None, username=username, password=password, workspace=workspace)
    if user is None:
        record_failure(workspace, username)
        return None
    record_success(workspace, username)
    return user  # type: ignore[return-value]
