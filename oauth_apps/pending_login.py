"""A login half done: the password was right, but steps stand between it and the session, in this
order: the second factor (or, where the workspace requires one and the user has none, enrolling one),
then changing a password due for change. Nothing is granted meanwhile: the user is not logged in, so
consent, device approval and the applications pages still send them to the login page.

The state lives in the session (a new session key from the moment the password was right), names the
user, the workspace, where the user was going, the steps left and why the password must change, and
lasts PENDING_SECONDS from the password. Each step's page asks `current()` and goes on with `done()`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib import auth
from django.http import HttpRequest

from oauth_apps import websessions
from oauth_apps.views import page_url
from workspaces import second_factor
from workspaces.models import User, Workspace
from workspaces.password_policy import ChangeReason, change_reason

PENDING_KEY = "_pm_pending_login"
AMR_KEY = "_pm_amr"  # how the session's user signed in (RFC 8176 values), for OpenID Connect
PENDING_SECONDS = 300
SECOND_FACTOR, ENROL, CHANGE_PASSWORD = "second_factor", "enrol", "change_password"
STEP_PAGES = {SECOND_FACTOR: "second-factor", ENROL: "enrol", CHANGE_PASSWORD: "password"}


@dataclass(frozen=True)
class PendingLogin:
    user: User
    next_url: str
    steps: list[str]
    reason: ChangeReason | None

    @property
    def step(self) -> str:
        return self.steps[0]


def steps_after_password(user: User, typed_password: str) -> tuple[list[str], ChangeReason | None]:
    """What the login asks after a right password, in order, and why the password must change."""
    steps = []
    if second_factor.has_any(user):
        steps.append(SECOND_FACTOR)
    elif second_factor.required_of(user):
        steps.append(ENROL)
    reason = change_reason(user, typed_password)
    if reason is not None:
        steps.append(CHANGE_PASSWORD)
    return steps, reason


def begin(request: HttpRequest, user: User, next_url: str, steps: list[str], reason: ChangeReason | None) -> str:
    """Whatever session was there ends, and a new one remembers the half-done login; the URL of its
    first step."""
    websessions.end(request)
    auth.logout(request)  # flushes the session: a new key, nothing of a previous user's kept
    request.session[PENDING_KEY] = {
        "user": user.pk, "workspace": user.workspace_id, "next": next_url, "steps": steps,
        "reason": reason.value if reason else None, "amr": ["pwd"], "until": int(time.time()) + PENDING_SECONDS,
    }  # fmt: skip
    assert user.workspace is not None
    return step_url(user.workspace, steps[0])


def step_url(workspace: Workspace, step: str) -> str:
    return page_url(STEP_PAGES[step], workspace)


def current(request: HttpRequest, workspace: Workspace) -> PendingLogin | None:
    """The half-done login of this session in `workspace`, or None: none, another workspace's, or one
    expired or whose user can no longer log in (forgotten then; the user is read again)."""
    state = request.session.get(PENDING_KEY)
    if not isinstance(state, dict) or state.get("workspace") != workspace.pk:
        return None
    steps = [step for step in state.get("steps", []) if step in STEP_PAGES]
    if int(state.get("until", 0)) < time.time() or not steps:
        request.session.pop(PENDING_KEY, None)
        return None
    user_pk = state.get("user")
    user = User.objects.select_related("role", "workspace").filter(pk=int(user_pk or 0), workspace=workspace).first()
    if user is None or not user.can_log_in():
        request.session.pop(PENDING_KEY, None)
        return None
    reason = ChangeReason(state["reason"]) if state.get("reason") else None
    return PendingLogin(user=user, next_url=str(state.get("next", "")), steps=steps, reason=reason)


def was_pending(request: HttpRequest, workspace: Workspace) -> bool:
    """Whether the session holds a half-done login of `workspace`, live or not (read before `current`)."""
    state = request.session.get(PENDING_KEY)
    return isinstance(state, dict) and state.get("workspace") == workspace.pk


def done(request: HttpRequest, pending: PendingLogin, step: str, method: str = "otp") -> str:
    """`step` is done (a second factor by `method`, RFC 8176: `otp`, or `hwk` for a passkey): the URL
    of the next one, or (none left) the user is logged in and the URL is where they were going."""
    state = dict(request.session[PENDING_KEY])
    state["steps"] = [left for left in state["steps"] if left != step]
    if step in (SECOND_FACTOR, ENROL):
        state["amr"] = ["pwd", method, "mfa"]
    request.session[PENDING_KEY] = state
    if state["steps"]:
        return step_url(pending.user.workspace, state["steps"][0])  # type: ignore[arg-type]
    complete(request, pending.user, pending.user.workspace, amr=state["amr"])  # type: ignore[arg-type]
    return pending.next_url


def complete(request: HttpRequest, user: User, workspace: Workspace, amr: list[str] | None = None) -> None:
    """Log the user in: a new session key, linked to a new web-session token."""
    request.session.pop(PENDING_KEY, None)
    websessions.end(request)  # a login over a live session replaces that session's token
    auth.login(request, user, backend="workspaces.backends.WorkspaceBackend")
    request.session[AMR_KEY] = amr or ["pwd"]
    websessions.issue(request, user, workspace)
