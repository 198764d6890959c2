"""The users API's privilege boundary: no self-escalation, no granting what you lack, no taking over
a stronger account, and one's own profile only as far as the role's PM_EDIT_USER_PROFILE_* allow."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.services import create_user
from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD, new_user_body
from tests.oauth import bearer, issue
from workspaces.models import Role, User, Workspace

API = "/api/1.0/workflow"


def role(workspace: Workspace, code: str, *permissions: str) -> Role:
    return Role.objects.create(workspace=workspace, code=code, permissions=["PM_LOGIN", *permissions])


def user_with(workspace: Workspace, username: str, role: Role) -> User:
    return create_user(workspace, username, PASSWORD, role=role)


def call(app: RegisteredClient, actor: User, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else None
    kwargs = {"content_type": "application/json"} if data is not None else {}
    return getattr(Client(), method)(API + path, data, headers=bearer(issue(app, actor)), **kwargs)


@pytest.fixture
def designer(workspace: Workspace) -> User:
    """PM_FACTORY but not PM_USERS: the audit's attacker."""
    return user_with(workspace, "designer", role(workspace, "DESIGNER", "PM_FACTORY"))


@pytest.fixture
def user_manager(workspace: Workspace) -> User:
    """PM_USERS, and the operator's permissions, but none of the admin's others."""
    operator = workspace.roles.get(code=Role.OPERATOR)
    return user_with(workspace, "hr", role(workspace, "HR", "PM_USERS", *operator.permissions))


def test_a_designer_cannot_make_themselves_admin(app: RegisteredClient, designer: User, admin: User) -> None:
    response = call(app, designer, "put", f"/user/{designer.uid}", {"usr_role": Role.ADMIN})
    assert response.status_code == 403
    assert "your own role" in response.json()["error"]["message"]
    designer.refresh_from_db()
    assert designer.role is not None and designer.role.code == "DESIGNER"


def test_a_designer_can_read_users_but_not_change_create_or_delete_them(
    app: RegisteredClient, designer: User, admin: User, operator_user: User
) -> None:
    assert call(app, designer, "get", "/users").status_code == 200
    new = "taken over 12345"
    reset = call(app, designer, "put", f"/user/{admin.uid}", {"usr_new_pass": new, "usr_cnf_pass": new})
    assert reset.status_code == 403 and "PM_USERS" in reset.json()["error"]["message"]
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)
    assert call(app, designer, "post", "/user", new_user_body("mallory")).status_code == 403
    assert call(app, designer, "delete", f"/user/{operator_user.uid}").status_code == 403
    assert User.objects.filter(pk=operator_user.pk).exists() and not User.objects.filter(username="mallory").exists()


def test_a_user_manager_cannot_grant_a_role_holding_more_than_theirs(
    app: RegisteredClient, user_manager: User, operator_user: User
) -> None:
    response = call(app, user_manager, "put", f"/user/{operator_user.uid}", {"usr_role": Role.ADMIN})
    assert response.status_code == 403
    assert "PM_SETUP" in response.json()["error"]["message"]
    assert User.objects.get(pk=operator_user.pk).role.code == Role.OPERATOR  # type: ignore[union-attr]


def test_a_user_manager_cannot_take_over_a_stronger_account(
    app: RegisteredClient, user_manager: User, admin: User
) -> None:
    new = "taken over 12345"
    assert (
        call(app, user_manager, "put", f"/user/{admin.uid}", {"usr_new_pass": new, "usr_cnf_pass": new}).status_code
        == 403
    )
    assert call(app, user_manager, "delete", f"/user/{admin.uid}").status_code == 403
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)


def test_a_user_manager_manages_users_of_roles_within_theirs(
    app: RegisteredClient, user_manager: User, operator_user: User
) -> None:
    assert call(app, user_manager, "put", f"/user/{operator_user.uid}", {"usr_status": "INACTIVE"}).status_code == 200
    assert call(app, user_manager, "post", "/user", new_user_body("newbie")).status_code == 201
    assert call(app, user_manager, "post", "/user", new_user_body("boss", usr_role=Role.ADMIN)).status_code == 403


def test_an_admin_may_hand_out_the_guest_role(app: RegisteredClient, admin: User, operator_user: User) -> None:
    guest = Role.objects.get(workspace=admin.workspace, code=Role.GUEST)
    assert guest.permissions == ["PM_GUEST_CASE"] and "PM_GUEST_CASE" not in admin.pm_permissions
    response = call(app, admin, "put", f"/user/{operator_user.uid}", {"usr_role": guest.code})
    assert response.status_code == 200 and response.json()["usr_role"] == "PROCESSMAKER_GUEST"


@pytest.mark.parametrize(
    "change", [{"usr_role": Role.OPERATOR}, {"usr_status": "INACTIVE"}, {"usr_due_date": "2031-01-01"}]
)
def test_nobody_changes_their_own_role_status_or_due_date(
    app: RegisteredClient, admin: User, change: dict[str, str]
) -> None:
    response = call(app, admin, "put", f"/user/{admin.uid}", change)
    assert response.status_code == 403
    admin.refresh_from_db()
    assert admin.role.code == Role.ADMIN and admin.status == "ACTIVE" and admin.due_date is None  # type: ignore[union-attr]


def test_repeating_ones_own_current_role_and_status_is_no_change(app: RegisteredClient, admin: User) -> None:
    body = {"usr_role": Role.ADMIN, "usr_status": "ACTIVE", "usr_firstname": "Ada"}
    response = call(app, admin, "put", f"/user/{admin.uid}", body)
    assert response.status_code == 200 and response.json()["usr_firstname"] == "Ada"


def test_own_profile_fields_follow_the_roles_edit_profile_permissions(
    app: RegisteredClient, operator_user: User
) -> None:
    assert call(app, operator_user, "put", f"/user/{operator_user.uid}", {"usr_firstname": "Jon"}).status_code == 200
    # ProcessMaker's operator may change their address but not their position or costs.
    assert (
        call(app, operator_user, "put", f"/user/{operator_user.uid}", {"usr_address": "1 Main St"}).status_code == 200
    )
    for change, permission in (
        ({"usr_position": "Boss"}, "PM_EDIT_USER_PROFILE_POSITION"),
        ({"usr_cost_by_hour": "99.00"}, "PM_EDIT_USER_PROFILE_COSTS"),
        ({"usr_reports_to": operator_user.uid}, "PM_USERS"),
    ):
        response = call(app, operator_user, "put", f"/user/{operator_user.uid}", change)
        assert response.status_code == 403
        assert permission in response.json()["error"]["message"]
    saved = User.objects.get(pk=operator_user.pk)
    assert (saved.first_name, saved.address, saved.position, saved.reports_to) == ("Jon", "1 Main St", "", None)


def test_changing_ones_own_password_ends_ones_tokens(app: RegisteredClient, operator_user: User) -> None:
    new = "my new password 1"
    response = call(app, operator_user, "put", f"/user/{operator_user.uid}", {"usr_new_pass": new, "usr_cnf_pass": new})
    assert response.status_code == 200
    assert not AccessToken.objects.filter(user=operator_user).exists()


def test_without_the_password_permission_one_cannot_change_it(app: RegisteredClient, operator_user: User) -> None:
    role = operator_user.role
    assert role is not None
    role.permissions = [code for code in role.permissions if code != "PM_EDIT_USER_PROFILE_PASSWORD"]
    role.save()
    new = "my new password 1"
    response = call(app, operator_user, "put", f"/user/{operator_user.uid}", {"usr_new_pass": new, "usr_cnf_pass": new})
    assert response.status_code == 403
