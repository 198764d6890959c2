"""The workspace's local web client belongs to the workspace, not to a user: no user deletion
can take the workspace's web login down, and a missing one comes back at the next login."""

from __future__ import annotations

from django.test import Client

from accounts.services import create_user
from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import bearer, issue
from workspaces.models import Role, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


def log_in(username: str) -> Client:
    browser = Client()
    response = browser.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return browser


def test_the_local_client_has_no_owner(workspace: Workspace) -> None:
    local = Application.objects.get(workspace=workspace, is_local=True)
    assert local.user is None


def test_deleting_the_first_admin_leaves_the_web_login_working(
    app: RegisteredClient, admin: User, operator_user: User
) -> None:
    second_admin = create_user(admin.workspace, "boss", PASSWORD, role=admin.workspace.roles.get(code=Role.ADMIN))
    response = Client().delete(f"/api/1.0/workflow/user/{admin.uid}", headers=bearer(issue(app, second_admin)))
    assert response.status_code == 200
    assert not User.objects.filter(pk=admin.pk).exists()

    browser = log_in("johndoe")
    assert AccessToken.objects.filter(user=operator_user, application__is_local=True).exists()
    assert log_in("boss").get("/sysworkflow/en/neoclassic/oauth2/applications").status_code == 200
    assert browser.get(LOGIN).status_code == 200


def test_a_missing_local_client_is_made_again_at_the_next_login(workspace: Workspace, operator_user: User) -> None:
    Application.objects.filter(workspace=workspace, is_local=True).delete()
    log_in("johndoe")
    local = Application.objects.get(workspace=workspace, is_local=True)
    assert AccessToken.objects.get(user=operator_user).application == local
