"""The admin refuses values that would break a workspace, and never moves an application, a user or a
role to another workspace."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import workspace_changes
from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient, update_application
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.checks import BAD_WORKSPACE_SETTING, workspace_settings_out_of_range
from workspaces.models import User, Workspace
from workspaces.services import WorkspaceError

# What the admin's change form posts: every setting but is_active, which is a checkbox of its own.
SETTINGS = [name for name in workspace_changes.SETTINGS if name != "is_active"]


def settings_form(workspace: Workspace, **changes: Any) -> dict[str, Any]:
    """The admin's change form for `workspace` as it stands, with `changes` typed over it."""
    form = {"is_active": "on" if workspace.is_active else ""}
    form.update({name: "" if getattr(workspace, name) is None else str(getattr(workspace, name)) for name in SETTINGS})
    form.update({name: str(value) for name, value in changes.items()})
    return form


def post_settings(operator_client: Client, workspace: Workspace, **changes: Any) -> tuple[int, dict[str, Any]]:
    response = operator_client.post(
        f"/admin/workspaces/workspace/{workspace.pk}/change/", settings_form(workspace, **changes)
    )
    errors = response.context["adminform"].form.errors if response.status_code == 200 else {}
    return response.status_code, errors


@pytest.mark.parametrize("scope", ["everything", "view_process admin", "openid", "view_process,edit_process"])
def test_a_default_scope_outside_the_api_scopes_is_refused(
    operator_client: Client, workspace: Workspace, scope: str
) -> None:
    status, errors = post_settings(operator_client, workspace, default_scope=scope)
    assert status == 200 and "default_scope" in errors
    assert "*, view_process, edit_process" in errors["default_scope"][0]
    workspace.refresh_from_db()
    assert workspace.default_scope == "*"


@pytest.mark.parametrize("scope", ["view_process", "view_process edit_process", "view_processes", "*"])
def test_api_scopes_are_accepted_as_the_default(
    operator_client: Client, workspace: Workspace, app: RegisteredClient, admin: User, scope: str
) -> None:
    status, errors = post_settings(operator_client, workspace, default_scope=scope)
    assert status == 302, errors
    # and a request naming no scope gets a token with it
    body = Client().post(
        "/workflow/oauth2/token",
        {"grant_type": "password", "username": "admin", "password": PASSWORD,
         "client_id": app.application.client_id, "client_secret": app.client_secret},
    ).json()  # fmt: skip
    assert "access_token" in body, body


@pytest.mark.parametrize(
    ("field", "bad", "good"),
    [
        ("lockout_threshold", 0, 3), ("lockout_threshold", 2, 1000), ("lockout_threshold", 1001, 10),
        ("lockout_window", 59, 60), ("lockout_window", 86401, 86400),
        ("lockout_duration", 0, 60), ("lockout_duration", 86401, 86400),
        ("access_token_lifetime", 59, 60), ("refresh_token_lifetime", 59, 60),
        ("access_token_lifetime", 31536001, 31536000), ("refresh_token_lifetime", 10**12, 315360000),
        ("authorization_code_lifetime", 5, 30), ("authorization_code_lifetime", 601, 600),
        ("consent_days", 366, 365), ("session_inactivity_timeout", 59, 86400),
    ],
)  # fmt: skip
def test_settings_out_of_range_are_refused_and_the_edges_accepted(
    operator_client: Client, workspace: Workspace, field: str, bad: int, good: int
) -> None:
    before = getattr(workspace, field)
    status, errors = post_settings(operator_client, workspace, **{field: bad})
    assert status == 200 and field in errors, errors
    workspace.refresh_from_db()
    assert getattr(workspace, field) == before
    status, errors = post_settings(operator_client, workspace, **{field: good})
    assert status == 302, errors
    workspace.refresh_from_db()
    assert getattr(workspace, field) == good


def test_the_first_correct_login_of_an_admin_works_at_the_lowest_threshold(
    operator_client: Client, workspace: Workspace
) -> None:
    """What a threshold of 0 broke: the workspace admin locked out on their first, correct, login."""
    assert post_settings(operator_client, workspace, lockout_threshold=3)[0] == 302
    browser = Client()
    response = browser.post("/sysworkflow/en/neoclassic/login/login", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302


def test_the_check_names_a_setting_made_before_the_ranges(workspace: Workspace) -> None:
    assert workspace_settings_out_of_range() == []
    Workspace.objects.filter(pk=workspace.pk).update(lockout_threshold=0, default_scope="everything")
    found = {warning.msg.split(":")[1].split("=")[0].strip(): warning for warning in workspace_settings_out_of_range()}
    assert set(found) == {"lockout_threshold", "default_scope"}
    assert all(warning.id == BAD_WORKSPACE_SETTING for warning in found.values())
    assert "setworkspace workflow" in found["lockout_threshold"].hint
    call_command("check")  # a warning, not an error: the site still starts


def test_an_application_cannot_move_to_another_workspace(
    operator_client: Client, app: RegisteredClient, other_workspace: Workspace, admin: User
) -> None:
    application = app.application
    page = operator_client.get(f"/admin/oauth_apps/application/{application.pk}/change/").content.decode()
    assert 'name="workspace"' not in page  # shown, not editable
    form = {"name": application.name, "description": "", "website": application.website, "redirect_uris": "",
            "user": admin.pk, "workspace": other_workspace.pk}  # fmt: skip
    response = operator_client.post(f"/admin/oauth_apps/application/{application.pk}/change/", form)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.workspace_id == admin.workspace_id
    # nor through the service every other path uses
    application.workspace = other_workspace
    with pytest.raises(WorkspaceError, match="cannot change"):
        update_application(application, ["workspace"])
    assert Application.objects.get(pk=application.pk).workspace_id == admin.workspace_id


def test_an_application_cannot_be_given_an_owner_of_another_workspace(
    operator_client: Client, app: RegisteredClient, stranger: User
) -> None:
    application = app.application
    form = {"name": application.name, "description": "", "website": application.website, "redirect_uris": "",
            "user": stranger.pk}  # fmt: skip
    response = operator_client.post(f"/admin/oauth_apps/application/{application.pk}/change/", form)
    assert response.status_code == 200
    assert "owner must be a user of the application" in response.content.decode()
    application.refresh_from_db()
    assert application.user_id != stranger.pk


def test_a_user_and_a_role_cannot_move_to_another_workspace(
    operator_client: Client, operator_user: User, other_workspace: Workspace
) -> None:
    tokens = password_grant_for(operator_user)
    page = operator_client.get(f"/admin/workspaces/user/{operator_user.pk}/change/").content.decode()
    assert 'name="workspace"' not in page
    role = operator_user.role
    assert role is not None
    page = operator_client.get(f"/admin/workspaces/role/{role.pk}/change/").content.decode()
    assert 'name="workspace"' not in page
    form = {"code": role.code, "name": role.name, "status": role.status, "permissions": role.permissions,
            "workspace": other_workspace.pk}  # fmt: skip
    assert operator_client.post(f"/admin/workspaces/role/{role.pk}/change/", form).status_code == 302
    role.refresh_from_db()
    assert role.workspace_id == operator_user.workspace_id
    from accounts.services import save_user

    operator_user.workspace = other_workspace
    with pytest.raises(WorkspaceError, match="cannot change"):
        save_user(operator_user, ["workspace"])
    assert User.objects.get(pk=operator_user.pk).workspace_id != other_workspace.pk
    assert AccessToken.objects.filter(token=tokens["access_token"]).exists()


def password_grant_for(user: User) -> dict[str, Any]:
    from oauth_apps.services import register_application

    admin = User.objects.get_in_workspace(user.workspace, "admin")  # type: ignore[arg-type]
    registered = register_application(admin.workspace, admin, name="For a user", website="")  # type: ignore[arg-type]
    return dict(password_grant(Client(), registered, user.username, PASSWORD).json())


@pytest.mark.parametrize(
    ("callback", "said"),
    [("ftp://example.com/cb", "must be an absolute http(s) URL"), ("https://example.com/cb#x", "fragment")],
)
def test_the_admin_explains_a_bad_callback_as_the_applications_page_does(
    operator_client: Client, app: RegisteredClient, admin: User, callback: str, said: str
) -> None:
    application = app.application
    form = {"name": application.name, "description": "", "website": "", "redirect_uris": callback, "user": admin.pk}
    response = operator_client.post(f"/admin/oauth_apps/application/{application.pk}/change/", form)
    page = response.content.decode()
    assert response.status_code == 200 and said in page
    assert "URI Validation error" not in page
