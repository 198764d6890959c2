"""grant_type=password: every body encoding and both ways to authenticate the client."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import ENCODINGS, credentials, password_grant, post_token
from workspaces.models import Role, User, Workspace

INVALID_USER = {"error": "invalid_grant", "error_description": "Invalid username and password combination"}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("auth", ["body", "basic"])
def test_password_grant_issues_processmaker_shaped_tokens(
    client: Client, app: RegisteredClient, operator_user: User, encoding: str, auth: str
) -> None:
    body, headers = credentials(app, auth)
    params = {"grant_type": "password", "scope": "*", "username": "johndoe", "password": PASSWORD, **body}
    response = post_token(client, params, encoding=encoding, headers=headers)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert list(data) == ["access_token", "expires_in", "token_type", "scope", "refresh_token"]
    assert re.fullmatch(r"[0-9a-f]{40}", data["access_token"])
    assert re.fullmatch(r"[0-9a-f]{40}", data["refresh_token"])
    assert data["expires_in"] == 86400 and data["token_type"] == "bearer" and data["scope"] == "*"
    stored = AccessToken.objects.get(token=data["access_token"])
    assert stored.user == operator_user and stored.user_uid == operator_user.uid
    assert stored.client_id == app.application.client_id and stored.workspace == operator_user.workspace
    assert RefreshToken.objects.presented(data["refresh_token"]).get().access_token == stored


def test_username_is_case_insensitive(client: Client, app: RegisteredClient, operator_user: User) -> None:
    assert "access_token" in password_grant(client, app, "JOHNDOE", PASSWORD).json()


def test_expires_in_is_the_workspace_lifetime(client: Client, app: RegisteredClient, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(access_token_lifetime=600)
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    assert data["expires_in"] == 600
    expires = AccessToken.objects.get(token=data["access_token"]).expires
    assert timedelta(seconds=590) < expires - timezone.now() <= timedelta(seconds=600)


def test_wrong_password_unknown_user_inactive_expired_and_inactive_role_look_the_same(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    assert password_grant(client, app, "johndoe", "wrong").json() == INVALID_USER
    assert password_grant(client, app, "nobody", PASSWORD).json() == INVALID_USER
    User.objects.filter(pk=operator_user.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    assert password_grant(client, app, "johndoe", PASSWORD).json() == INVALID_USER
    User.objects.filter(pk=operator_user.pk).update(due_date=None, status=User.Status.INACTIVE)
    assert password_grant(client, app, "johndoe", PASSWORD).json() == INVALID_USER
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.ACTIVE)
    Role.objects.filter(pk=operator_user.role_id).update(status=Role.Status.INACTIVE)
    assert password_grant(client, app, "johndoe", PASSWORD).json() == INVALID_USER


@pytest.mark.production_hashing
def test_an_unknown_user_costs_a_password_hash_too(client: Client, app: RegisteredClient, operator_user: User) -> None:
    def slowest_of_three(username: str) -> float:
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            password_grant(client, app, username, "wrong password")
            timings.append(time.perf_counter() - start)
        return sorted(timings)[1]

    known, unknown = slowest_of_three("johndoe"), slowest_of_three("nobody")
    # Argon2id costs ~20 ms here; without the dummy hash an unknown user answers in ~2 ms.
    assert unknown > known * 0.5


def test_a_user_of_another_workspace_is_unknown_here(client: Client, app: RegisteredClient, stranger: User) -> None:
    assert password_grant(client, app, "stranger", PASSWORD).json() == INVALID_USER


def test_no_scope_gives_the_workspace_default(client: Client, app: RegisteredClient, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(default_scope="view_process")
    assert password_grant(client, app, "johndoe", PASSWORD).json()["scope"] == "view_process"
