"""Users: uid shape, per-workspace case-insensitive usernames, ProcessMaker's login rules."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import create_user
from tests.conftest import PASSWORD
from workspaces.models import Role, User, Workspace
from workspaces.services import WorkspaceError


def test_uid_is_32_lowercase_hex_and_unique(admin: User, operator_user: User) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", admin.uid)
    assert re.fullmatch(r"[0-9a-f]{32}", operator_user.uid)
    assert admin.uid != operator_user.uid


def test_username_is_unique_per_workspace_ignoring_case(workspace: Workspace, operator_user: User) -> None:
    role = workspace.roles.get(code=Role.OPERATOR)
    with pytest.raises(WorkspaceError, match="already exists"):
        create_user(workspace, "JOHNDOE", PASSWORD, role=role)


def test_the_database_refuses_a_case_variant_of_a_username(workspace: Workspace, operator_user: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(workspace=workspace, username="johndoe")


def test_the_same_username_may_exist_in_two_workspaces(operator_user: User, other_workspace: Workspace) -> None:
    role = other_workspace.roles.get(code=Role.OPERATOR)
    twin = create_user(other_workspace, "johndoe", PASSWORD, role=role)
    assert twin.pk != operator_user.pk


def test_every_workspace_has_its_own_admin(admin: User, other_workspace: Workspace) -> None:
    assert User.objects.get_in_workspace(other_workspace, "ADMIN").pk != admin.pk


def test_login_is_case_insensitive_and_bound_to_the_workspace(operator_user: User, other_workspace: Workspace) -> None:
    workspace = operator_user.workspace
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=workspace) == operator_user
    assert authenticate(None, username="JOHNDOE", password=PASSWORD, workspace=workspace) == operator_user
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=other_workspace) is None


def test_wrong_password_and_unknown_user_fail(operator_user: User) -> None:
    workspace = operator_user.workspace
    assert authenticate(None, username="johndoe", password="wrong", workspace=workspace) is None
    assert authenticate(None, username="nobody", password=PASSWORD, workspace=workspace) is None


def test_inactive_user_cannot_log_in(operator_user: User) -> None:
    operator_user.status = User.Status.INACTIVE
    operator_user.save()
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=operator_user.workspace) is None


def test_user_past_due_date_cannot_log_in(operator_user: User) -> None:
    operator_user.due_date = timezone.localdate() - timedelta(days=1)
    operator_user.save()
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=operator_user.workspace) is None


def test_user_on_due_date_can_still_log_in(operator_user: User) -> None:
    operator_user.due_date = timezone.localdate()
    operator_user.save()
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=operator_user.workspace) == operator_user


def test_user_with_inactive_role_cannot_log_in(operator_user: User) -> None:
    Role.objects.filter(pk=operator_user.role_id).update(status=Role.Status.INACTIVE)
    assert authenticate(None, username="johndoe", password=PASSWORD, workspace=operator_user.workspace) is None


def test_workspace_users_cannot_log_in_to_the_admin(admin: User) -> None:
    assert authenticate(None, username="admin", password=PASSWORD) is None


def test_operators_are_found_by_natural_key_only_without_a_workspace(admin: User) -> None:
    operator = User.objects.create_superuser("admin", "operator password 1")
    assert User.objects.get_by_natural_key("ADMIN").pk == operator.pk
    assert authenticate(None, username="admin", password="operator password 1") == operator


def test_new_workspaces_get_processmaker_roles(workspace: Workspace) -> None:
    admin_role = workspace.roles.get(code=Role.ADMIN)
    operator_role = workspace.roles.get(code=Role.OPERATOR)
    for permission in ["PM_REST_API_APPLICATIONS", "PM_USERS", "PM_FACTORY", "PM_SETUP"]:
        assert admin_role.grants(permission)
        assert not operator_role.grants(permission)
