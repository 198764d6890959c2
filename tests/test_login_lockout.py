"""Ten failed logins for one username within the window lock it, on the web login and the password grant."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import LoginLock, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
LOCKED = b"Too many failed logins"


def fail_web_logins(client: Client, times: int, username: str = "johndoe") -> None:
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "wrong"})


def test_ten_failures_lock_the_username_even_for_the_right_password(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 9)
    assert client.post(LOGIN, {"username": "johndoe", "password": "wrong"}).status_code == 200
    response = client.post(LOGIN, {"username": "JohnDoe", "password": PASSWORD})
    assert response.status_code == 200 and LOCKED in response.content


def test_nine_failures_then_success_resets_the_count(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 9)
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 302
    client.post(f"{LOGIN[:-5]}logout")
    fail_web_logins(client, 9)
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 302


def test_the_lock_ends_after_its_duration(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 10)
    LoginLock.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 302


def test_failures_older_than_the_window_do_not_count(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 9)
    LoginLock.objects.update(window_started=timezone.now() - timedelta(minutes=16))
    fail_web_logins(client, 1)
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 302


def test_the_workspace_threshold_applies(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(lockout_threshold=3)
    fail_web_logins(client, 3)
    assert LOCKED in client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).content


def test_unknown_usernames_are_locked_too(client: Client, workspace: Workspace) -> None:
    fail_web_logins(client, 10, username="ghost")
    assert LOCKED in client.post(LOGIN, {"username": "ghost", "password": "x"}).content


def test_a_lock_in_one_workspace_does_not_lock_another(client: Client, operator_user: User, stranger: User) -> None:
    fail_web_logins(client, 10, username="stranger")
    response = client.post("/sysother/en/neoclassic/login/login", {"username": "stranger", "password": PASSWORD})
    assert response.status_code == 302


def test_password_grant_failures_count_and_the_lock_applies_there(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    for _ in range(10):
        assert password_grant(client, app, "johndoe", "wrong").json()["error"] == "invalid_grant"
    assert password_grant(client, app, "johndoe", PASSWORD).json() == {
        "error": "invalid_grant",
        "error_description": "Too many failed logins: this username is locked for a while",
    }
    assert LOCKED in client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).content
