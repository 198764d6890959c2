"""A login half done: the password was right, but a step stands between it and the session (today the
change-password page; a second factor later). Nothing is granted meanwhile: the user is not logged in,
so consent, device approval and the applications pages still send them to the login page.

The state lives in the session (a new session key from the moment the password was right), names the
user, the workspace, where the user was going and why they stopped, and lasts PENDING_SECONDS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib import auth
from django.http import HttpRequest

from oauth_apps import websessions
from workspaces.models import User, Workspace
from workspaces.password_policy import ChangeReason

PENDING_KEY = "_pm_pending_login"
PENDING_SECONDS = 300


@dataclass(frozen=True)
class PendingLogin:
    user: User
    next_url: str
    reason: ChangeReason


def begin(request: HttpRequest, user: User, next_url: str, reason: ChangeReason) -> None:
    """The password was right but `reason` stops the login: whatever session was there ends, and a
    new one remembers the half-done login."""
    websessions.end(request)
    auth.logout(request)  # flushes the session: a new key, nothing of a previous user's kept
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "workspace": user.workspace_id,
        "next": next_url,
        "reason": reason.value,
        "until": int(time.time()) + PENDING_SECONDS,
    }


def current(request: HttpRequest, workspace: Workspace) -> PendingLogin | None:
    """The half-done login of this session in `workspace`, or None: none, another workspace's, or one
    expired or whose user can no longer log in (forgotten then; the user is read again)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict):
        return None
    if state.get("workspace") != workspace.pk:
        return None
    if int(state.get("until", 0)) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user_pk = state.get("user")
    user = User.objects.select_related("role", "workspace").filter(pk=int(user_pk or 0), workspace=workspace).first()
    if user is None or not user.can_log_in():
        request.session.pop(PENDING_KEY, None)
        return None
    return PendingLogin(user=user, next_url=str(state.get("next", "")), reason=ChangeReason(state["reason"]))


def was_pending(request: HttpRequest, workspace: Workspace) -> bool:
    """Whether the session holds a half-done login of `workspace`, live or not (read before `current`)."""
    state = request.session.get(PENDING_KEY)
    return isinstance(state, dict) and state.get("workspace") == workspace.pk


def complete(request: HttpRequest, user: User, workspace: Workspace) -> None:
    """Log the user in: a new session key, linked to a new web-session token."""
    request.session.pop(PENDING_KEY, None)
    websessions.end(request)  # a login over a live session replaces that session's token
    auth.login(request, user, backend="workspaces.backends.WorkspaceBackend")
    websessions.issue(request, user, workspace)
