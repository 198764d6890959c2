"""Role permission and token scope, together: 403 with ProcessMaker's error shape saying what is missing."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.oauth import bearer, issue
from workspaces.models import Role, User

API = "/api/1.0/workflow"


def test_a_role_without_pm_users_or_pm_factory_gets_403(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    response = client.get(f"{API}/users", headers=bearer(issue(app, operator_user)))
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": 403,
            "message": "Forbidden: this needs the PM_USERS or PM_FACTORY permission in the user's role",
        }
    }


def test_either_listed_permission_is_enough(client: Client, app: RegisteredClient, operator_user: User) -> None:
    Role.objects.filter(pk=operator_user.role_id).update(permissions=["PM_LOGIN", "PM_FACTORY"])
    assert client.get(f"{API}/users", headers=bearer(issue(app, operator_user))).status_code == 200


def test_a_view_process_token_can_read_but_not_write(client: Client, app: RegisteredClient, admin: User) -> None:
    token = issue(app, admin, scope="view_process")
    assert client.get(f"{API}/users", headers=bearer(token)).status_code == 200
    response = client.post(f"{API}/project", {"prj_name": "x"}, content_type="application/json", headers=bearer(token))
    assert response.status_code == 403
    assert "scope does not allow changes" in response.json()["error"]["message"]


@pytest.mark.parametrize("scope", ["edit_process", "*", "view_process edit_process"])
def test_edit_process_and_star_can_write(client: Client, app: RegisteredClient, admin: User, scope: str) -> None:
    response = client.post(
        f"{API}/project",
        {"prj_name": f"p {scope}"},
        content_type="application/json",
        headers=bearer(issue(app, admin, scope)),
    )
    assert response.status_code == 201


def test_edit_process_can_read(client: Client, app: RegisteredClient, admin: User) -> None:
    assert client.get(f"{API}/project", headers=bearer(issue(app, admin, "edit_process"))).status_code == 200
