"""Changes that end a user's or a client's access revoke their tokens, whichever path makes them.

A revoked access token is deleted, so ProcessMaker's own query for "the current token of a user"
(`ORDER BY EXPIRES DESC`) never hands out a dead one; a revoked refresh token is kept with the time
it was revoked, so a later replay is still recognised.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.services import update_user
from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD, log_in_to_admin
from tests.oauth import bearer, issue, password_grant, refresh_grant
from workspaces.models import PermissionCode, Role, User

API = "/api/1.0/workflow"
APPLICATIONS = "/sysworkflow/en/neoclassic/oauth2/applications"
BACKEND = "workspaces.backends.WorkspaceBackend"


def processmaker_current_token(user: User) -> str | None:
    """The seed's own SQL for the current token of a user."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ACCESS_TOKEN FROM OAUTH_ACCESS_TOKENS WHERE USER_ID='{user.uid}' ORDER BY EXPIRES DESC")
        row = cursor.fetchone()
    return row[0] if row else None


def assert_revoked(client: Client, app: RegisteredClient, tokens: dict[str, Any], user: User) -> None:
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    refresh = RefreshToken.objects.presented(tokens["refresh_token"]).get()
    assert refresh.revoked is not None and refresh.updated >= refresh.revoked
    assert refresh_grant(client, app, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert processmaker_current_token(user) is None
    response = client.get(f"{API}/light/user/data", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


@pytest.fixture
def operator_tokens(client: Client, app: RegisteredClient, operator_user: User) -> dict[str, Any]:
    tokens: dict[str, Any] = password_grant(client, app, "johndoe", PASSWORD).json()
    assert processmaker_current_token(operator_user) == tokens["access_token"]
    return tokens


def put_user(app: RegisteredClient, admin: User, user: User, body: dict[str, Any]) -> Any:
    return Client().put(
        f"{API}/user/{user.uid}", json.dumps(body), content_type="application/json", headers=bearer(issue(app, admin))
    )


@pytest.fixture
def operator_site(db: None) -> Client:
    """A site operator logged in to the Django admin."""
    User.objects.create_superuser("root", "operator password 1")
    site = Client()
    log_in_to_admin(site)
    return site


def test_a_password_change_through_the_api_revokes_the_users_tokens(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, operator_tokens: dict[str, Any]
) -> None:
    new = "a brand new password"
    assert put_user(app, admin, operator_user, {"usr_new_pass": new, "usr_cnf_pass": new}).status_code == 200
    assert_revoked(client, app, operator_tokens, operator_user)
    assert "access_token" in password_grant(client, app, "johndoe", new).json()


def test_a_password_change_in_the_admin_revokes_the_users_tokens(
    client: Client, app: RegisteredClient, operator_user: User, operator_tokens: dict[str, Any], operator_site: Client
) -> None:
    new = "a brand new password"
    response = operator_site.post(
        f"/admin/workspaces/user/{operator_user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert_revoked(client, app, operator_tokens, operator_user)


def test_deactivating_a_user_in_the_admin_revokes_their_tokens(
    client: Client, app: RegisteredClient, operator_user: User, operator_tokens: dict[str, Any], operator_site: Client
) -> None:
    page = f"/admin/workspaces/user/{operator_user.pk}/change/"
    form = operator_site.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(status=User.Status.INACTIVE, role=operator_user.role_id, workspace=operator_user.workspace_id)
    data["due_date"] = ""
    response = operator_site.post(page, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_revoked(client, app, operator_tokens, operator_user)


def test_a_role_without_pm_login_revokes_the_users_tokens(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, operator_tokens: dict[str, Any]
) -> None:
    Role.objects.create(
        workspace=admin.workspace, code="AUDITOR", permissions=[PermissionCode.PM_REPORTS.value]
    )  # no PM_LOGIN
    assert put_user(app, admin, operator_user, {"usr_role": "AUDITOR"}).status_code == 200
    assert_revoked(client, app, operator_tokens, operator_user)


def test_a_harmless_change_keeps_the_users_tokens(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, operator_tokens: dict[str, Any]
) -> None:
    assert put_user(app, admin, operator_user, {"usr_firstname": "Jon"}).status_code == 200
    assert processmaker_current_token(operator_user) == operator_tokens["access_token"]


def test_regenerating_a_client_secret_revokes_the_clients_tokens(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, operator_tokens: dict[str, Any]
) -> None:
    pages = Client()
    pages.force_login(admin, backend=BACKEND)
    assert pages.post(f"{APPLICATIONS}/{app.application.client_id}/secret").context["secret"]  # shown in the answer
    assert not AccessToken.objects.filter(token=operator_tokens["access_token"]).exists()
    assert RefreshToken.objects.presented(operator_tokens["refresh_token"]).get().revoked is not None
    assert processmaker_current_token(operator_user) is None


def test_deleting_a_client_revokes_its_tokens(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, operator_tokens: dict[str, Any]
) -> None:
    pages = Client()
    pages.force_login(admin, backend=BACKEND)
    assert pages.post(f"{APPLICATIONS}/{app.application.client_id}/delete").status_code == 302
    assert not AccessToken.objects.filter(token=operator_tokens["access_token"]).exists()
    assert not RefreshToken.objects.presented(operator_tokens["refresh_token"]).exists()
    assert processmaker_current_token(operator_user) is None


def test_the_admins_refresh_token_revoke_records_when(
    app: RegisteredClient, operator_user: User, operator_tokens: dict[str, Any], operator_site: Client
) -> None:
    refresh = RefreshToken.objects.presented(operator_tokens["refresh_token"]).get()
    response = operator_site.post(
        "/admin/oauth_apps/refreshtoken/",
        {"action": "revoke", "_selected_action": [refresh.pk], "confirmed": "yes"},
        follow=True,
    )
    assert b"Revoked 1 refresh token." in response.content
    revoked = RefreshToken.objects.get(pk=refresh.pk)
    assert revoked.revoked is not None and revoked.updated >= revoked.revoked
    assert not AccessToken.objects.filter(token=operator_tokens["access_token"]).exists()


def test_the_admins_access_token_revoke_ends_the_pair(
    client: Client, app: RegisteredClient, operator_user: User, operator_tokens: dict[str, Any], operator_site: Client
) -> None:
    access = AccessToken.objects.get(token=operator_tokens["access_token"])
    operator_site.post(
        "/admin/oauth_apps/accesstoken/", {"action": "revoke", "_selected_action": [access.pk], "confirmed": "yes"}
    )
    assert_revoked(client, app, operator_tokens, operator_user)


def test_taking_pm_login_from_a_role_in_the_admin_revokes_its_users_tokens(
    client: Client, app: RegisteredClient, operator_user: User, operator_tokens: dict[str, Any], operator_site: Client
) -> None:
    role = operator_user.role
    assert role is not None
    response = operator_site.post(
        f"/admin/workspaces/role/{role.pk}/change/",
        {"workspace": role.workspace_id, "code": role.code, "name": role.name, "status": "ACTIVE",
         "permissions": [PermissionCode.PM_CASES.value]},
    )  # fmt: skip
    assert response.status_code == 302
    assert_revoked(client, app, operator_tokens, operator_user)


def test_logging_in_again_replaces_the_sessions_token(operator_user: User) -> None:
    browser = Client()
    login = "/sysworkflow/en/neoclassic/login/login"
    for _ in range(2):
        assert browser.post(login, {"username": "johndoe", "password": PASSWORD}).status_code == 302
    assert AccessToken.objects.filter(user=operator_user).count() == 1


def test_a_password_change_stamps_the_user_and_other_changes_do_not(operator_user: User, admin: User) -> None:
    assert operator_user.credentials_changed_at is None
    update_user(operator_user, {"first_name": "Johnny"}, by=admin)
    assert User.objects.get(pk=operator_user.pk).credentials_changed_at is None
    update_user(operator_user, {}, password="a brand new password", by=operator_user)
    stamped = User.objects.get(pk=operator_user.pk).credentials_changed_at
    assert stamped is not None and timezone.now() - stamped < timedelta(seconds=5)
