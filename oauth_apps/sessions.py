"""Access tokens for logged-in web sessions (ProcessMaker's PMOAUTH_USER_ACCESS_TOKENS).

On login the workspace's local web client gets a token for the user; its expiry follows
the session's sliding expiry, and it is revoked at logout. Connected in `apps.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from oauth_apps.identifiers import new_token
from oauth_apps.models import AccessToken, Application, UserSessionToken
from oauth_apps.scopes import ALL
from oauth_apps.services import issue_tokens
from workspaces.models import User, Workspace

SESSION_TOKEN_KEY = "_pm_access_token"


def session_workspace(request: HttpRequest | None, user: Any) -> Workspace | None:
    workspace: Workspace | None = getattr(request, "workspace", None)
    if workspace is None or getattr(user, "workspace_id", None) != workspace.id:
        return None
    return workspace


@transaction.atomic
def issue_session_token(request: HttpRequest, user: User, workspace: Workspace) -> AccessToken:
    local_client = Application.objects.get(workspace=workspace, is_local=True)
    token = new_token()
    access = issue_tokens(
        workspace,
        client=local_client,
        user=user,
        scope=ALL,
        access_token=token,
        refresh_token=None,
        family=None,
        lifetime=workspace.session_inactivity_timeout,
    )
    UserSessionToken.objects.create(
        workspace=workspace,
        access_token=access,
        token=token,
        user_uid=user.uid,
        session_key=request.session.session_key or "",
        session_name=settings.SESSION_COOKIE_NAME,
    )
    request.session[SESSION_TOKEN_KEY] = access.pk
    return access


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    workspace = session_workspace(request, user)
    if request is not None and workspace is not None:
        issue_session_token(request, user, workspace)


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and SESSION_TOKEN_KEY in request.session:
        AccessToken.objects.filter(pk=request.session[SESSION_TOKEN_KEY]).delete()


def on_session_extended(sender: Any, request: HttpRequest, expires: Any, **kwargs: Any) -> None:
    """The session slid forward: keep its token's EXPIRES in step."""
    token_pk = request.session.get(SESSION_TOKEN_KEY)
    if token_pk is not None:
        AccessToken.objects.filter(pk=token_pk).update(expires=expires)


def extend_from_api(access: AccessToken, session_key: str, workspace: Workspace) -> None:
    """An API call with a web-session token counts as activity in that session.

    Called by bearer authentication when the token's expiry lags behind by more than a few
    seconds, so a busy client writes at most once every few seconds.
    """
    expires = timezone.now() + timedelta(seconds=workspace.session_inactivity_timeout)
    with transaction.atomic():
        if Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now()).update(expire_date=expires):
            AccessToken.objects.filter(pk=access.pk).update(expires=expires)
            access.expires = expires
