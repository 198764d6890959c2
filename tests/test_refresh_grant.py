"""grant_type=refresh_token: rotation, single use, reuse detection and scope narrowing."""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import ENCODINGS, credentials, password_grant, post_token, refresh_grant
from workspaces.models import ErrorMode, User, Workspace

INVALID_REFRESH = {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def login(client: Client, app: RegisteredClient, scope: str = "*") -> dict[str, Any]:
    data: dict[str, Any] = password_grant(client, app, "johndoe", PASSWORD, scope=scope).json()
    assert "refresh_token" in data, data
    return data


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("auth", ["body", "basic"])
def test_refresh_rotates_both_tokens(
    client: Client, app: RegisteredClient, operator_user: User, encoding: str, auth: str
) -> None:
    first = login(client, app)
    body, headers = credentials(app, auth)
    params = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], **body}
    answer = post_token(client, params, encoding=encoding, headers=headers)
    second = answer.json()
    assert list(second) == ["access_token", "expires_in", "token_type", "scope", "refresh_token"]
    assert answer["Content-Type"] == "application/json" and answer["Cache-Control"] == "no-store"
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["scope"] == "*" and second["token_type"] == "bearer"


def test_the_old_access_token_keeps_working_after_a_refresh(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first = login(client, app)
    refresh_grant(client, app, first["refresh_token"])
    assert AccessToken.objects.filter(token=first["access_token"]).exists()


def test_a_refresh_token_cannot_be_used_twice_and_reuse_revokes_the_family(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first = login(client, app)
    second = refresh_grant(client, app, first["refresh_token"]).json()
    unrelated = login(client, app)
    assert refresh_grant(client, app, first["refresh_token"]).json() == INVALID_REFRESH
    # Every token descended from the first login is gone or dead ...
    assert not AccessToken.objects.filter(token__in=[first["access_token"], second["access_token"]]).exists()
    assert refresh_grant(client, app, second["refresh_token"]).json() == INVALID_REFRESH
    # ... and other logins are untouched.
    assert AccessToken.objects.filter(token=unrelated["access_token"]).exists()
    assert "access_token" in refresh_grant(client, app, unrelated["refresh_token"]).json()


def test_a_refresh_may_narrow_the_scope(client: Client, app: RegisteredClient, operator_user: User) -> None:
    first = login(client, app, scope="view_process edit_process")
    assert refresh_grant(client, app, first["refresh_token"], scope="view_processes").json()["scope"] == "view_process"


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_narrowing_one_access_token_keeps_the_grant_in_the_new_refresh_token(
    client: Client, app: RegisteredClient, operator_user: User, mode: str
) -> None:
    """RFC 6749 6: the new refresh token's scope is the old one's (ProcessMaker's library narrows it)."""
    Workspace.objects.filter(pk=operator_user.workspace_id).update(error_mode=mode)
    first = login(client, app, scope="view_process edit_process")
    narrow = refresh_grant(client, app, first["refresh_token"], scope="view_process").json()
    assert narrow["scope"] == "view_process"
    assert AccessToken.objects.get(token=narrow["access_token"]).scope == "view_process"
    assert RefreshToken.objects.presented(narrow["refresh_token"]).get().scope == "view_process edit_process"
    wide = refresh_grant(client, app, narrow["refresh_token"]).json()
    assert wide["scope"] == "view_process edit_process"
    again = refresh_grant(client, app, wide["refresh_token"], scope="edit_process").json()
    assert again["scope"] == "edit_process"


def test_star_covers_the_other_scopes(client: Client, app: RegisteredClient, operator_user: User) -> None:
    first = login(client, app, scope="*")
    assert refresh_grant(client, app, first["refresh_token"], scope="edit_process").json()["scope"] == "edit_process"


def test_a_refresh_cannot_widen_the_scope_and_the_token_survives(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first = login(client, app, scope="view_process")
    for wider in ["edit_process", "*", "view_process unknown"]:
        assert refresh_grant(client, app, first["refresh_token"], scope=wider).json() == {
            "error": "invalid_scope",
            "error_description": "An unsupported scope was requested",
        }
    # A failed request changes nothing: the refresh token still works once.
    assert refresh_grant(client, app, first["refresh_token"]).json()["scope"] == "view_process"


def test_no_scope_keeps_the_refresh_tokens_own_scope(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first = login(client, app, scope="edit_process")
    assert refresh_grant(client, app, first["refresh_token"]).json()["scope"] == "edit_process"


def test_a_refresh_token_outlives_its_purged_access_token(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first = login(client, app, scope="view_process")
    AccessToken.objects.filter(token=first["access_token"]).delete()
    data = refresh_grant(client, app, first["refresh_token"]).json()
    assert data["scope"] == "view_process"


def test_an_expired_refresh_token_says_so(client: Client, app: RegisteredClient, operator_user: User) -> None:
    first = login(client, app)
    RefreshToken.objects.presented(first["refresh_token"]).update(expires=timezone.now() - timedelta(seconds=1))
    assert refresh_grant(client, app, first["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Refresh token has expired",
    }


def test_the_workspace_refresh_lifetime_is_applied(client: Client, app: RegisteredClient, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(refresh_token_lifetime=3600)
    first = login(client, app)
    expires = RefreshToken.objects.presented(first["refresh_token"]).get().expires
    assert expires is not None and timedelta(seconds=3590) < expires - timezone.now() <= timedelta(seconds=3600)


def test_refresh_tokens_expire_after_fourteen_days_by_default(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    """bshaffer's refresh_token_lifetime, which ProcessMaker inherits (1,209,600 s)."""
    assert operator_user.workspace.refresh_token_lifetime == 1_209_600  # type: ignore[union-attr]
    first = login(client, app)
    expires = RefreshToken.objects.presented(first["refresh_token"]).get().expires
    assert expires is not None and timedelta(days=14) - (expires - timezone.now()) < timedelta(seconds=10)


def test_a_workspace_may_still_choose_no_expiry(client: Client, app: RegisteredClient, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(refresh_token_lifetime=None)
    first = login(client, app)
    assert RefreshToken.objects.presented(first["refresh_token"]).get().expires is None


def test_the_migration_gives_workspaces_and_unexpiring_tokens_fourteen_days(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(refresh_token_lifetime=None)
    forever = login(client, app)["refresh_token"]
    Workspace.objects.filter(pk=operator_user.workspace_id).update(refresh_token_lifetime=3600)
    hour = login(client, app)["refresh_token"]
    Workspace.objects.filter(pk=operator_user.workspace_id).update(refresh_token_lifetime=None)
    importlib.import_module("workspaces.migrations.0016_refresh_tokens_live_14_days").fourteen_days(apps, None)
    importlib.import_module("oauth_apps.migrations.0012_refresh_tokens_expire").expire_in_fourteen_days(apps, None)
    assert Workspace.objects.get(pk=operator_user.workspace_id).refresh_token_lifetime == 1_209_600
    expires = RefreshToken.objects.presented(forever).get().expires
    assert expires is not None and timedelta(days=14) - (expires - timezone.now()) < timedelta(seconds=10)
    kept = RefreshToken.objects.presented(hour).get().expires
    assert kept is not None and kept - timezone.now() <= timedelta(seconds=3600)


def test_an_inactive_users_refresh_token_fails(client: Client, app: RegisteredClient, operator_user: User) -> None:
    first = login(client, app)
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE)
    assert refresh_grant(client, app, first["refresh_token"]).json() == INVALID_REFRESH


def test_another_clients_refresh_token_is_invalid(client: Client, app: RegisteredClient, operator_user: User) -> None:
    other = RegisteredClient(*_second_client(operator_user))
    first = login(client, app)
    assert refresh_grant(client, other, first["refresh_token"]).json() == INVALID_REFRESH
    assert "access_token" in refresh_grant(client, app, first["refresh_token"]).json()


def _second_client(user: User) -> tuple[Any, str]:
    from oauth_apps.services import register_application

    registered = register_application(user.workspace, user, name="second", website="https://example.net")
    return registered.application, registered.client_secret


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_with_one_token_let_exactly_one_through(
    app: RegisteredClient, operator_user: User
) -> None:
    first = login(Client(), app)
    barrier = threading.Barrier(2)
    results: list[dict[str, Any]] = []

    def refresh() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(refresh_grant(Client(), app, first["refresh_token"]).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [result for result in results if "access_token" in result]
    assert len(results) == 2 and len(winners) == 1, results
    assert INVALID_REFRESH in results
    # The loser was a duplicate presentation: the whole family, the winner's new tokens included, is revoked.
    assert not AccessToken.objects.filter(token=winners[0]["access_token"]).exists()
    assert refresh_grant(Client(), app, winners[0]["refresh_token"]).json() == INVALID_REFRESH
