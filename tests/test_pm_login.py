"""PM_LOGIN is what lets a role's users in: the web login, every grant that acts for a user and
bearer tokens all refuse a user whose role lacks it, as ProcessMaker's RBAC does."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import bearer, issue, password_grant, refresh_grant
from workspaces.models import PermissionCode, Role, User


def without_pm_login(user: User) -> None:
    Role.objects.filter(pk=user.role_id).update(permissions=[PermissionCode.PM_CASES.value])


@pytest.mark.django_db
def test_the_web_login_refuses_a_role_without_pm_login(client: Client, operator_user: User) -> None:
    without_pm_login(operator_user)
    response = client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    assert response.status_code == 200 and b"Invalid username or password." in response.content


def test_the_password_grant_refuses_a_role_without_pm_login(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    without_pm_login(operator_user)
    assert password_grant(client, app, "johndoe", PASSWORD).json()["error"] == "invalid_grant"


def test_a_refresh_is_refused_once_the_role_loses_pm_login(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    tokens = password_grant(client, app, "johndoe", PASSWORD).json()
    without_pm_login(operator_user)
    assert refresh_grant(client, app, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_bearer_token_is_refused_once_the_role_loses_pm_login(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    assert client.get("/api/1.0/workflow/light/user/data", headers=bearer(token)).status_code == 200
    without_pm_login(operator_user)
    assert client.get("/api/1.0/workflow/light/user/data", headers=bearer(token)).status_code == 401
