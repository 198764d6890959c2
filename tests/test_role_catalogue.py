"""ProcessMaker's four roles and their permission sets: seeded in every new workspace, brought to
existing ones by a data migration that keeps what an admin changed, and handed out only by those who
hold what the role grants."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from accounts.admin import RoleForm
from accounts.services import create_user, provision_workspace
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD, new_user_body
from tests.oauth import bearer, issue, password_grant
from workspaces.models import PermissionCode, Role, User, Workspace
from workspaces.rbac import DEFAULT_ROLES
from workspaces.services import WorkspaceError

MIGRATION = importlib.import_module("workspaces.migrations.0008_processmaker_roles")
OPERATOR_38 = {
    "PM_LOGIN", "PM_CASES", "PM_EDIT_USER_PROFILE_FIRST_NAME", "PM_EDIT_USER_PROFILE_LAST_NAME",
    "PM_EDIT_USER_PROFILE_USERNAME", "PM_EDIT_USER_PROFILE_EMAIL", "PM_EDIT_USER_PROFILE_ADDRESS",
    "PM_EDIT_USER_PROFILE_ZIP_CODE", "PM_EDIT_USER_PROFILE_COUNTRY", "PM_EDIT_USER_PROFILE_STATE_OR_REGION",
    "PM_EDIT_USER_PROFILE_LOCATION", "PM_EDIT_USER_PROFILE_PHONE", "PM_EDIT_USER_PROFILE_CALENDAR",
    "PM_EDIT_USER_PROFILE_TIME_ZONE", "PM_EDIT_USER_PROFILE_DEFAULT_LANGUAGE", "PM_EDIT_USER_PROFILE_PASSWORD",
    "PM_EDIT_USER_PROFILE_PHOTO",
}  # fmt: skip
NOT_FOR_MANAGERS = {
    "PM_SETUP", "PM_FACTORY", "PM_SETUP_ADVANCE", "PM_WEBDAV", "PM_REASSIGNCASE_SUPERVISOR",
    "PM_SETUP_CUSTOM_CASES_LIST", "PM_SETUP_LOG_FILES", "PM_FOLDERS_OWNER", "PM_TASK_SCHEDULER_ADMIN",
    "TASK_METRICS_VIEW",
}  # fmt: skip


def roles_of(workspace: Workspace) -> dict[str, set[str]]:
    return {role.code: set(role.permissions) for role in workspace.roles.all()}


def test_the_catalogue_is_processmaker_38s(db: None) -> None:
    codes = [code.value for code in PermissionCode]
    assert len(codes) == len(set(codes)) == 69  # PER_UID 1-70 without 3.3's PM_SETUP_HEART_BEAT
    assert codes[0] == "PM_LOGIN" and codes[37] == "PM_REST_API_APPLICATIONS" and codes[-1] == "TASK_METRICS_VIEW"
    assert [role.code for role in DEFAULT_ROLES] == [Role.ADMIN, Role.OPERATOR, Role.MANAGER, Role.GUEST]


def test_a_new_workspace_gets_processmakers_four_roles(workspace: Workspace) -> None:
    every = {code.value for code in PermissionCode}
    assert roles_of(workspace) == {
        Role.ADMIN: every - {"PM_GUEST_CASE"},
        Role.OPERATOR: OPERATOR_38,
        Role.MANAGER: every - {"PM_GUEST_CASE"} - NOT_FOR_MANAGERS,
        Role.GUEST: {"PM_GUEST_CASE"},
    }
    names = dict(workspace.roles.values_list("code", "name"))
    assert names[Role.ADMIN] == "System Administrator" and names[Role.MANAGER] == "Manager"


def test_the_migration_brings_old_workspaces_the_four_roles_and_keeps_changes(db: None) -> None:
    untouched = Workspace.objects.create(name="untouched")
    Role.objects.create(workspace=untouched, code=Role.ADMIN, permissions=sorted(MIGRATION.OLD_DEFAULTS[Role.ADMIN]))
    Role.objects.create(
        workspace=untouched, code=Role.OPERATOR, permissions=sorted(MIGRATION.OLD_DEFAULTS[Role.OPERATOR])
    )
    changed = Workspace.objects.create(name="changed")
    no_password = sorted(MIGRATION.OLD_DEFAULTS[Role.OPERATOR] - {"PM_EDIT_USER_PROFILE_PASSWORD"})
    Role.objects.create(workspace=changed, code=Role.OPERATOR, permissions=[*no_password, "MY_PLUGIN_PERMISSION"])
    Role.objects.create(workspace=changed, code="HR", permissions=["PM_LOGIN", "PM_USERS"])
    Role.objects.create(workspace=changed, code=Role.GUEST, name="Visitors", permissions=["PM_LOGIN"])

    MIGRATION.give_processmaker_roles(apps, None)

    fresh = {role.code: set(role.permissions) for role in DEFAULT_ROLES}
    assert roles_of(untouched) == fresh
    after = roles_of(changed)
    # The operator role keeps its removal and its plugin's code, and gains only codes new to the catalogue.
    assert after[Role.OPERATOR] == (
        OPERATOR_38 - {"PM_EDIT_USER_PROFILE_PASSWORD", "PM_EDIT_USER_PROFILE_USERNAME"}
    ) | {"MY_PLUGIN_PERMISSION"}
    assert after["HR"] == {"PM_LOGIN", "PM_USERS"} and after[Role.GUEST] == {"PM_LOGIN"}
    assert after[Role.ADMIN] == fresh[Role.ADMIN] and after[Role.MANAGER] == fresh[Role.MANAGER]
    MIGRATION.give_processmaker_roles(apps, None)  # a second run changes nothing
    assert roles_of(changed) == after and roles_of(untouched) == fresh


def test_the_admins_role_form_keeps_codes_outside_the_catalogue(workspace: Workspace) -> None:
    role = Role.objects.create(workspace=workspace, code="IMPORTED", permissions=["PM_LOGIN", "PLUGIN_X"])
    data = {
        "workspace": workspace.pk,
        "code": "IMPORTED",
        "name": "",
        "status": "ACTIVE",
        "permissions": ["PM_LOGIN", "PLUGIN_X"],
    }
    form = RoleForm(data, instance=role)
    assert form.is_valid(), form.errors
    assert form.save().permissions == ["PM_LOGIN", "PLUGIN_X"]


def test_a_manager_manages_users_but_cannot_make_admins(app: RegisteredClient, workspace: Workspace) -> None:
    manager = create_user(workspace, "boss", PASSWORD, role=workspace.roles.get(code=Role.MANAGER))
    assert "access_token" in password_grant(Client(), app, "boss", PASSWORD).json()
    token = issue(app, manager)

    def post(body: dict[str, str]) -> int:
        response = Client().post(
            "/api/1.0/workflow/user", json.dumps(body), content_type="application/json", headers=bearer(token)
        )
        return int(response.status_code)

    assert post(new_user_body("clerk")) == 201
    assert post(new_user_body("visitor", usr_role=Role.GUEST)) == 201
    assert post(new_user_body("otherboss", usr_role=Role.MANAGER)) == 201
    assert post(new_user_body("root", usr_role=Role.ADMIN)) == 403
    assert not User.objects.filter(username="root").exists()


def test_provisioning_twice_with_one_name_is_refused_before_any_role_is_made(db: None) -> None:
    provision_workspace("twice", "admin", PASSWORD)
    with pytest.raises(WorkspaceError, match="already exists"):
        provision_workspace("twice", "admin", PASSWORD)
    assert Role.objects.filter(workspace__name="twice").count() == 4
