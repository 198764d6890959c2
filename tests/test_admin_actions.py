"""The admin's actions ask before they end anything and count in words; a workspace is retired in the
admin and deleted by a command that asks for its name; lists name what an operator looks for."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import bearer, password_grant, post_token
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


def test_revoking_an_access_token_asks_first_and_counts_in_words(
    operator_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    tokens = password_grant(Client(), app, "johndoe", PASSWORD).json()
    token = AccessToken.objects.get(token=tokens["access_token"])
    selection = {"action": "revoke", "_selected_action": [token.pk]}
    asked = operator_client.post("/admin/oauth_apps/accesstoken/", selection)
    page = asked.content.decode()
    assert asked.status_code == 200 and "Revoke these access tokens?" in page and "Yes, revoke them" in page
    assert AccessToken.objects.filter(pk=token.pk).exists()  # nothing happened yet
    done = operator_client.post("/admin/oauth_apps/accesstoken/", {**selection, "confirmed": "yes"}, follow=True)
    assert "Revoked 1 access token." in done.content.decode()
    assert not AccessToken.objects.filter(pk=token.pk).exists()
    assert RefreshToken.objects.presented(tokens["refresh_token"]).get().revoked is not None


def test_revoking_an_applications_tokens_asks_first(
    operator_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    tokens = password_grant(Client(), app, "johndoe", PASSWORD).json()
    selection = {"action": "revoke_tokens", "_selected_action": [app.application.pk]}
    asked = operator_client.post("/admin/oauth_apps/application/", selection)
    assert asked.status_code == 200 and "Test app" in asked.content.decode()
    assert AccessToken.objects.filter(token=tokens["access_token"]).exists()
    done = operator_client.post("/admin/oauth_apps/application/", {**selection, "confirmed": "yes"}, follow=True)
    assert "Revoked 2 tokens of 1 application." in done.content.decode()


def test_token_lists_name_the_application(operator_client: Client, app: RegisteredClient, operator_user: User) -> None:
    password_grant(Client(), app, "johndoe", PASSWORD)
    for page in ("accesstoken", "refreshtoken"):
        listed = operator_client.get(f"/admin/oauth_apps/{page}/").content.decode()
        assert "Test app" in listed and "application" in listed.lower()


def test_audit_lists_show_the_username_tried_the_user_and_the_address(
    operator_client: Client, operator_user: User
) -> None:
    Client().post(LOGIN, {"username": "nobody-here", "password": "wrong"}, REMOTE_ADDR="198.51.100.23")
    Client().post(LOGIN, {"username": "johndoe", "password": PASSWORD}, REMOTE_ADDR="198.51.100.24")
    listed = operator_client.get("/admin/workspaces/auditevent/").content.decode()
    for seen in ("Username tried", "nobody-here", "198.51.100.23", "JohnDoe", "198.51.100.24"):
        assert seen in listed, seen


def test_a_workspace_is_retired_not_deleted_in_the_admin(
    operator_client: Client, workspace: Workspace, app: RegisteredClient, operator_user: User
) -> None:
    tokens = password_grant(Client(), app, "johndoe", PASSWORD).json()
    page = operator_client.get(f"/admin/workspaces/workspace/{workspace.pk}/change/").content.decode()
    assert "/delete/" not in page and "manage.py deleteworkspace workflow" in page
    assert operator_client.get(f"/admin/workspaces/workspace/{workspace.pk}/delete/").status_code == 403
    selection = {"action": "retire", "_selected_action": [workspace.pk]}
    asked = operator_client.post("/admin/workspaces/workspace/", selection)
    assert asked.status_code == 200 and "Retire these workspaces?" in asked.content.decode()
    workspace.refresh_from_db()
    assert workspace.is_active
    done = operator_client.post("/admin/workspaces/workspace/", {**selection, "confirmed": "yes"}, follow=True)
    assert "Retired 1 workspace." in done.content.decode()
    workspace.refresh_from_db()
    assert not workspace.is_active
    assert Client().get("/api/1.0/workflow/light/user/data", headers=bearer(tokens["access_token"])).status_code == 503
    assert AuditEvent.objects.filter(workspace=workspace, event_type=AuditEventType.WORKSPACE_RETIRED).exists()


def test_a_settings_change_in_the_admin_is_audited_with_old_and_new(
    operator_client: Client, workspace: Workspace
) -> None:
    from tests.test_admin_validation import settings_form

    form = settings_form(workspace, lockout_threshold=5)
    assert operator_client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", form).status_code == 302
    event = AuditEvent.objects.get(workspace=workspace, event_type=AuditEventType.WORKSPACE_SETTINGS_CHANGED)
    assert event.extra["changes"] == {"lockout_threshold": {"old": 10, "new": 5}}
    assert event.acting_user is not None and event.acting_user.username == "root"


def test_deleteworkspace_refuses_without_the_name_typed(workspace: Workspace, other_workspace: Workspace) -> None:
    with pytest.raises(CommandError, match="Not deleted: 'Workflow' is not the workspace's name"):
        call_command("deleteworkspace", "workflow", "--confirm", "Workflow", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Unknown workspace 'nope'"):
        call_command("deleteworkspace", "nope", "--confirm", "nope", stdout=io.StringIO())
    assert Workspace.objects.filter(pk=workspace.pk, is_active=True).exists()


def test_deleteworkspace_deletes_every_row_of_it_and_nothing_else(
    workspace: Workspace, app: RegisteredClient, operator_user: User, other_workspace: Workspace, stranger: User,
    foreign_app: RegisteredClient,
) -> None:  # fmt: skip
    mine = password_grant(Client(), app, "johndoe", PASSWORD).json()
    theirs = post_token(Client(), {
        "grant_type": "password", "client_id": foreign_app.application.client_id,
        "client_secret": foreign_app.client_secret, "username": "stranger", "password": PASSWORD,
    }, url="/other/oauth2/token").json()  # fmt: skip
    out = io.StringIO()
    call_command("deleteworkspace", "workflow", "--confirm", "workflow", "--json", stdout=out, stderr=io.StringIO())
    result = json.loads(out.getvalue())
    assert result["workspace"] == "workflow" and result["deleted"]["users"] == 2
    assert result["deleted"]["access_tokens"] == 1 and result["deleted"]["applications"] >= 2  # with the local client
    assert not Workspace.objects.filter(name="workflow").exists()
    assert not User.objects.filter(workspace_id=workspace.pk).exists()
    assert not Application.objects.filter(workspace_id=workspace.pk).exists()
    assert not AuditEvent.objects.filter(workspace_id=workspace.pk).exists()
    site_event = AuditEvent.objects.get(event_type=AuditEventType.WORKSPACE_DELETED)
    assert site_event.workspace_id is None and site_event.extra["name"] == "workflow"
    assert AccessToken.objects.filter(token=theirs["access_token"]).exists()
    assert Client().get("/api/1.0/other/light/user/data", headers=bearer(theirs["access_token"])).status_code == 200
    assert Client().get("/api/1.0/workflow/light/user/data", headers=bearer(mine["access_token"])).status_code in (
        404,
        503,
    )


@pytest.mark.own_database
def test_deleteworkspace_asks_for_the_name_typed_on_its_input(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As an operator runs it: the prompt on stderr, the name read from standard input."""

    def delete(answer: str) -> tuple[str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
        out, err = io.StringIO(), io.StringIO()
        call_command("deleteworkspace", "workflow", stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    with pytest.raises(CommandError, match="Not deleted: 'workflo' is not the workspace's name"):
        delete("workflo\n")
    with pytest.raises(CommandError, match="give --confirm NAME"):
        delete("")
    assert Workspace.objects.filter(pk=workspace.pk, is_active=True).exists()
    out, err = delete("workflow\n")
    assert "Type the workspace's name (workflow)" in err and "1 user" in err
    assert "Deleted workspace 'workflow' and" in out
    assert not Workspace.objects.filter(pk=workspace.pk).exists()
