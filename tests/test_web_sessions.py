"""Web sessions: bound to one workspace, sliding expiry after the workspace's inactivity timeout."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from oauth_apps.websessions import SESSION_TOUCH_KEY
from tests.conftest import PASSWORD
from workspaces.models import User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


def log_in(client: Client, username: str = "johndoe", path: str = LOGIN) -> None:
    response = client.post(path, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_login_session_expires_after_the_workspace_inactivity_timeout(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(session_inactivity_timeout=600)
    log_in(client)
    remaining = session_row(client).expire_date - timezone.now()
    assert timedelta(seconds=590) < remaining <= timedelta(seconds=600)


def test_activity_slides_the_session_expiry(client: Client, operator_user: User) -> None:
    log_in(client)
    session = client.session
    session[SESSION_TOUCH_KEY] = 0
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() + timedelta(seconds=30))
    client.get(LOGIN)
    remaining = session_row(client).expire_date - timezone.now()
    assert remaining > timedelta(seconds=1400)


def test_an_expired_session_counts_as_no_session(client: Client, operator_user: User) -> None:
    log_in(client)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/sysworkflow/en/neoclassic/login/login")
    assert response.wsgi_request.user.is_anonymous


def test_a_session_counts_only_on_its_own_workspace(
    client: Client, operator_user: User, other_workspace: Workspace
) -> None:
    log_in(client)
    assert client.get(LOGIN).wsgi_request.user == operator_user
    assert client.get("/sysother/en/neoclassic/login/login").wsgi_request.user.is_anonymous


def test_login_failure_does_not_say_which_part_was_wrong(client: Client, operator_user: User) -> None:
    wrong_password = client.post(LOGIN, {"username": "johndoe", "password": "nope"})
    unknown_user = client.post(LOGIN, {"username": "nobody", "password": PASSWORD})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert b"Invalid username or password." in wrong_password.content
    assert b"Invalid username or password." in unknown_user.content


def test_logout_ends_the_session(client: Client, operator_user: User) -> None:
    log_in(client)
    response = client.post("/sysworkflow/en/neoclassic/login/logout")
    assert response.status_code == 302
    assert client.get(LOGIN).wsgi_request.user.is_anonymous
