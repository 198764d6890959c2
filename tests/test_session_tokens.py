"""Web-session tokens: minted at login for the local web client, in step with the session, gone at logout."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, UserSessionToken
from oauth_apps.websessions import SESSION_TOKEN_KEY, SESSION_TOUCH_KEY
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
