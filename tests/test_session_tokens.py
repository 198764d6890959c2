"""Web-session tokens: minted at login for the local web client, in step with the session, gone at logout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oauth_apps.models import AccessToken, UserSessionToken
from oauth_apps.websessions import API_TOUCH_INTERVAL, SESSION_TOKEN_KEY, SESSION_TOUCH_KEY
from plumbing import row_cache
from tests.conftest import PASSWORD
from workspaces.models import User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


def log_in(client: Client) -> AccessToken:
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 302
    return AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY])


def test_login_mints_a_local_client_token_found_by_processmakers_query(client: Client, operator_user: User) -> None:
    token = log_in(client)
    assert token.application.is_local and token.user == operator_user
    link = UserSessionToken.objects.get(access_token=token)
    assert (link.token, link.user_uid, link.session_key) == (token.token, operator_user.uid, client.session.session_key)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ACCESS_TOKEN FROM OAUTH_ACCESS_TOKENS WHERE USER_ID='{operator_user.uid}' ORDER BY EXPIRES DESC"
        )
        assert cursor.fetchone()[0] == token.token


def test_the_token_expires_with_the_session(client: Client, operator_user: User) -> None:
    token = log_in(client)
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs(token.expires - session.expire_date) < timedelta(seconds=2)


def test_activity_moves_the_token_expiry_with_the_session(client: Client, operator_user: User) -> None:
    token = log_in(client)
    AccessToken.objects.filter(pk=token.pk).update(expires=timezone.now() + timedelta(seconds=30))
    session = client.session
    session[SESSION_TOUCH_KEY] = 0
    session.save()
    client.get(LOGIN)
    token.refresh_from_db()
    session_expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert token.expires - timezone.now() > timedelta(seconds=1400)
    assert abs(token.expires - session_expiry) < timedelta(seconds=2)


def test_logout_revokes_the_token(client: Client, operator_user: User) -> None:
    token = log_in(client)
    client.post("/sysworkflow/en/neoclassic/login/logout")
    assert not AccessToken.objects.filter(pk=token.pk).exists()
    assert not UserSessionToken.objects.exists()


def test_each_login_gets_its_own_token(operator_user: User) -> None:
    first, second = log_in(Client()), log_in(Client())
    assert first.token != second.token


def test_when_the_session_times_out_the_token_is_dead_too(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(session_inactivity_timeout=60)
    token = log_in(client)
    assert token.expires - timezone.now() <= timedelta(seconds=60)
    # Sixty idle seconds later, as the clock would have it: the session and its token end together.
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=past)
    AccessToken.objects.filter(pk=token.pk).update(expires=past)
    assert client.get(LOGIN).wsgi_request.user.is_anonymous
    response = Client().get("/api/1.0/workflow/light/user/data", headers={"Authorization": f"Bearer {token.token}"})
    assert response.status_code == 401


def api_call(token: AccessToken) -> Any:
    row_cache.forget_all()  # the lookup as the database has it now
    return Client().get("/api/1.0/workflow/light/user/data", headers={"Authorization": f"Bearer {token.token}"})


def updates(call: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert call().status_code == 200
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("UPDATE")]


def idle(session_key: str, token: AccessToken, seconds: int) -> None:
    """`seconds` without activity, as the clock would have it: both expiries that much nearer."""
    Session.objects.filter(session_key=session_key).update(expire_date=F("expire_date") - timedelta(seconds=seconds))
    AccessToken.objects.filter(pk=token.pk).update(expires=F("expires") - timedelta(seconds=seconds))


def test_api_calls_slide_the_session_and_its_token_together_at_most_once_a_minute(
    client: Client, operator_user: User
) -> None:
    token = log_in(client)
    key = client.session.session_key
    assert updates(lambda: api_call(token)) == []  # just logged in: nothing to move
    idle(key, token, API_TOUCH_INTERVAL - 5)
    assert updates(lambda: api_call(token)) == []  # less than a minute behind: still nothing written
    idle(key, token, 10)
    written = updates(lambda: api_call(token))
    assert len(written) == 2  # the session's conditional UPDATE, then its token's
    token.refresh_from_db()
    timeout = timedelta(seconds=operator_user.workspace.session_inactivity_timeout)
    assert abs(token.expires - (timezone.now() + timeout)) < timedelta(seconds=2)
    assert abs(Session.objects.get(session_key=key).expire_date - token.expires) < timedelta(seconds=1)
    assert updates(lambda: api_call(token)) == []  # and the next call writes nothing again


def test_an_api_call_does_not_revive_a_session_that_ended(client: Client, operator_user: User) -> None:
    token = log_in(client)
    key = client.session.session_key
    idle(key, token, API_TOUCH_INTERVAL + 5)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    before = AccessToken.objects.get(pk=token.pk).expires
    api_call(token)
    assert AccessToken.objects.get(pk=token.pk).expires == before
    assert Session.objects.get(session_key=key).expire_date < timezone.now()
