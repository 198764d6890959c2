"""GET /api/1.0/{ws}/user/{usr_uid}/tokens and DELETE .../tokens/{client_id}: what a user granted, and revoking it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from accounts.services import create_user
from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import bearer, issue
from workspaces.models import Role, User

API = "/api/1.0/workflow"


def call(token: str, method: str, path: str) -> Any:
    return getattr(Client(), method)(API + path, headers=bearer(token))


def test_an_admin_reads_what_a_user_granted(app: RegisteredClient, admin: User, operator_user: User) -> None:
    reports = register_application(admin.workspace, admin, name="Reports", website="https://r.example")
    issue(reports, operator_user, scope="view_process")
    issue(reports, operator_user, scope="edit_process")
    response = call(issue(app, admin), "get", f"/user/{operator_user.uid}/tokens")
    assert response.status_code == 200
    (grant,) = response.json()
    assert grant["client_id"] == reports.application.client_id and grant["name"] == "Reports"
    assert grant["website"] == "https://r.example" and set(grant["scope"].split()) == {"view_process", "edit_process"}
    assert grant["active_tokens"] == 2 and grant["remembered_until"] is None
    assert grant["first_authorized"] <= grant["last_issued"]


def test_one_reads_and_revokes_ones_own_but_not_anothers_without_pm_users(
    app: RegisteredClient, admin: User, operator_user: User
) -> None:
    mine = issue(app, operator_user)
    assert call(mine, "get", f"/user/{operator_user.uid}/tokens").status_code == 200
    assert call(mine, "get", f"/user/{admin.uid}/tokens").status_code == 403
    issue(app, admin)
    assert call(mine, "delete", f"/user/{admin.uid}/tokens/{app.application.client_id}").status_code == 403
    assert AccessToken.objects.filter(user=admin).exists()
    other = issue(
        register_application(admin.workspace, admin, name="Other", website="https://o.example"), operator_user
    )
    response = call(other, "delete", f"/user/{operator_user.uid}/tokens/{app.application.client_id}")
    assert response.status_code == 200 and response.json() == {}
    assert not AccessToken.objects.filter(user=operator_user, application=app.application).exists()
    assert AccessToken.objects.filter(token=other).exists()


def test_a_user_manager_cannot_revoke_for_a_stronger_user(app: RegisteredClient, admin: User) -> None:
    operator = admin.workspace.roles.get(code=Role.OPERATOR)
    hr_role = Role.objects.create(workspace=admin.workspace, code="HR", permissions=[*operator.permissions, "PM_USERS"])
    hr = create_user(admin.workspace, "hr", PASSWORD, role=hr_role)
    issue(app, admin)
    response = call(issue(app, hr), "delete", f"/user/{admin.uid}/tokens/{app.application.client_id}")
    assert response.status_code == 403 and "lacks" in response.json()["error"]["message"]
    assert call(issue(app, hr), "get", f"/user/{admin.uid}/tokens").status_code == 200


def test_unknown_users_and_applications_and_other_workspaces(
    app: RegisteredClient, admin: User, operator_user: User, stranger: User, foreign_app: RegisteredClient
) -> None:
    token = issue(app, admin)
    issue(foreign_app, stranger)
    assert call(token, "get", f"/user/{stranger.uid}/tokens").status_code == 400
    response = call(token, "delete", f"/user/{operator_user.uid}/tokens/NOSUCHCLIENT")
    assert response.status_code == 400 and "holds no token" in response.json()["error"]["message"]
    assert call(token, "delete", f"/user/{stranger.uid}/tokens/{foreign_app.application.client_id}").status_code == 400
    assert AccessToken.objects.filter(user=stranger).exists()


def test_reading_needs_a_read_scope_and_revoking_a_write_scope(
    app: RegisteredClient, admin: User, operator_user: User
) -> None:
    reader = issue(app, admin, scope="view_process")
    assert call(reader, "get", f"/user/{operator_user.uid}/tokens").status_code == 200
    assert call(reader, "delete", f"/user/{operator_user.uid}/tokens/{app.application.client_id}").status_code == 403
