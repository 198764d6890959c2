"""Access tokens of logged-in web sessions (ProcessMaker's PMOAUTH_USER_ACCESS_TOKENS).

The one owner of a web session's token, called explicitly (no signals):
- `issue`: the login view, once the user is logged in, mints a token for the workspace's local
  web client and links it to the session;
- `extend`: the session middleware, on each page of the workspace, slides the session's expiry
  and the token's EXPIRES with it; `extend_from_api`: the REST layer, when an API call uses
  such a token, counts it as activity in that session (ProcessMaker does this);
- `end`: the logout view revokes the token.

The session and its token always expire together: both are computed by `session_expiry`, which
slides with activity up to the workspace's absolute cap from the login (`session_absolute_lifetime`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from oauth_apps.identifiers import new_token
from oauth_apps.models import AccessToken, UserSessionToken
from oauth_apps.revocation import revoke_tokens
from oauth_apps.services import issue_tokens, local_client
from plumbing import table_versions
from plumbing.metrics import TOKENS_ISSUED
from workspaces import scopes
from workspaces.models import User, Workspace

SESSION_TOKEN_KEY = "_pm_access_token"
SESSION_TOUCH_KEY = "_pm_touched"
SESSION_STARTED_KEY = "_pm_started"  # when the user logged in, for the absolute cap (epoch seconds)
SID_KEY = "_pm_sid"  # the session's id as ID tokens name it (`sid`): random, never the session key
# How often, at most, a sliding session's expiry is pushed forward (and written to the database):
# by its pages, and by API calls with its token (`extend_from_api` says why the API waits longer).
SESSION_TOUCH_INTERVAL = 5
API_TOUCH_INTERVAL = 60


def session_expiry(workspace: Workspace, now: datetime | None = None, started: datetime | None = None) -> datetime:
    """When a session (and its token) active at `now` ends: the workspace's inactivity timeout later,
    but no later than its absolute lifetime after the login at `started`."""
    ends = (now or timezone.now()) + timedelta(seconds=workspace.session_inactivity_timeout)
    if started is not None:
        ends = min(ends, started + timedelta(seconds=workspace.session_absolute_lifetime))
    return ends


def _started(request: HttpRequest) -> datetime:
    """When the session's login was (a session from before the cap existed counts from now)."""
    stamp = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
    return datetime.fromtimestamp(stamp, tz=UTC)


@transaction.atomic
def issue(request: HttpRequest, user: User, workspace: Workspace) -> AccessToken:
    """After login: the session slides from now, and gets a token that expires with it."""
    lifetime = min(workspace.session_inactivity_timeout, workspace.session_absolute_lifetime)
    request.session.set_expiry(lifetime)
    request.session[SESSION_TOUCH_KEY] = request.session[SESSION_STARTED_KEY] = int(time.time())
    request.session[SID_KEY] = secrets.token_urlsafe(24)  # a new sign-in, a new sid (the key may be kept)
    token = new_token()
    TOKENS_ISSUED.labels(workspace.name, "web_session").inc()
    access = issue_tokens(
        workspace,
        client=local_client(workspace),
        user=user,
        scope=scopes.ALL,
        access_token=token,
        refresh_token=None,
        family=None,
        lifetime=lifetime,
    )
    UserSessionToken.objects.create(
        workspace=workspace,
        access_token=access,
        token=token,
        user_uid=user.uid,
        session_key=request.session.session_key or "",
        session_name=settings.SESSION_COOKIE_NAME,
        sid=request.session[SID_KEY],
    )
    request.session[SESSION_TOKEN_KEY] = access.pk
    return access


def session_sid(request: HttpRequest) -> str:
    """The session's `sid`; one logged in before sids existed gets one now, on its token's link too."""
    sid = request.session.get(SID_KEY)
    if not sid:
        sid = request.session[SID_KEY] = secrets.token_urlsafe(24)
        UserSessionToken.objects.filter(access_token_id=request.session.get(SESSION_TOKEN_KEY)).update(sid=sid)
    return str(sid)


def extend(request: HttpRequest, workspace: Workspace) -> bool:
    """Activity on a page: push the session's expiry and its token's forward, at most every few
    seconds; False when the session has reached its absolute cap (the caller logs it out)."""
    now = timezone.now()
    expires = session_expiry(workspace, now, _started(request))
    seconds_left = int((expires - now).total_seconds())
    if seconds_left <= 0:
        return False
    stamp = int(time.time())
    recently = stamp - request.session.get(SESSION_TOUCH_KEY, 0) < SESSION_TOUCH_INTERVAL
    if recently and request.session.get_expiry_age() <= seconds_left:
        return True
    request.session[SESSION_TOUCH_KEY] = stamp
    request.session.set_expiry(seconds_left)
    token_pk = request.session.get(SESSION_TOKEN_KEY)
    if token_pk is not None:
        with table_versions.not_renewing():  # a later expiry: see `extend_from_api`
            AccessToken.objects.filter(pk=token_pk).update(expires=expires)
    return True


def extend_from_api(access: AccessToken, workspace: Workspace) -> None:
    """An API call with a web-session token counts as activity in that session.

    Why the token's expiry follows the session at all: ProcessMaker extends only its session cookie
    and leaves the token's EXPIRES as it was minted, so a page that calls the API (the designer)
    loses its token while the user is still active, unless the page reloads. Here the session and
    its token end together, whichever kept them alive.

    At most one conditional write per token per API_TOUCH_INTERVAL: nothing is written while the
    token's expiry lags its due time by less than that (a busy client costs no write), and then the
    session's UPDATE is conditional on the session being alive and still unextended, so of
    concurrent calls on any node exactly one writes, and it writes the token too. A token may so
    end up to API_TOUCH_INTERVAL before its session would; a page view slides both again.
    """
    try:
        link: UserSessionToken = access.web_session
    except UserSessionToken.DoesNotExist:
        return
    now = timezone.now()
    expires = session_expiry(workspace, now, started=access.created)  # the token was minted at the login
    due = expires - timedelta(seconds=API_TOUCH_INTERVAL)
    if access.expires > due:
        return
    with transaction.atomic():
        if Session.objects.filter(session_key=link.session_key, expire_date__gt=now, expire_date__lte=due).update(
            expire_date=expires
        ):
            # Moving a token's expiry later renews no version: a kept lookup that still has the old
            # expiry is read again once that has passed (oauth_apps.bearer), and otherwise every
            # page view of every session would empty every process's kept lookups.
            with table_versions.not_renewing():
                AccessToken.objects.filter(pk=access.pk).update(expires=expires)
            access.expires = expires


def end(request: HttpRequest) -> None:
    """Before logout: the session's token is revoked with it."""
    token_pk = request.session.get(SESSION_TOKEN_KEY)
    if token_pk is not None:
        revoke_tokens(access_tokens=[token_pk], why="logout")


def end_all(users: Iterable[User], *, keep: str = "", why: str) -> int:
    """End every web session of `users` but the one with key `keep` (the sessions and their tokens;
    the users' other tokens stay): a second factor now required, or reset by an administrator. How
    many sessions ended."""
    by_workspace: dict[int, list[str]] = {}
    for user in users:
        if user.workspace_id is not None:
            by_workspace.setdefault(user.workspace_id, []).append(user.uid)
    links = UserSessionToken.objects.none()
    for workspace_id, uids in by_workspace.items():
        links |= UserSessionToken.objects.filter(workspace_id=workspace_id, user_uid__in=uids)
    links = links.exclude(session_key=keep) if keep else links
    keys = list(links.values_list("session_key", flat=True))
    tokens = list(links.values_list("access_token_id", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    if tokens:
        revoke_tokens(access_tokens=tokens, why=why)
    return len(set(keys))
