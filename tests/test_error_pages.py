"""The pages a person meets when something is not there: plain sentences, never the framework's
internals; a mistyped workspace gets a page, while programs keep ProcessMaker's empty 503."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from workspaces.models import User, Workspace

PAGES = "/sys{ws}/en/neoclassic"


def test_an_address_nothing_answers_says_so_in_words(client: Client, db: None) -> None:
    response = client.get("/no/such/page/here")
    page = response.content.decode()
    assert response.status_code == 404 and "There is no page at this address." in page
    assert "Resolver404" not in page and "tried" not in page


def test_a_missing_application_is_one_sentence(client: Client, admin: User, app: RegisteredClient) -> None:
    client.force_login(admin, backend="workspaces.backends.WorkspaceBackend")
    response = client.get(f"{PAGES.format(ws='workflow')}/oauth2/applications/NOSUCHCLIENT/edit")
    page = response.content.decode()
    assert response.status_code == 404 and "<p>No such application.</p>" in page and ".." not in page


@pytest.mark.parametrize("path", ["/login/login", "/oauth2/applications", "/oauth2/authorized"])
def test_a_mistyped_workspace_in_a_page_address_gets_a_page(client: Client, workspace: Workspace, path: str) -> None:
    response = client.get(PAGES.format(ws="workflox") + path)
    page = response.content.decode()
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "No such workspace" in page and "<strong>workflox</strong>" in page


def test_the_authorize_page_of_a_mistyped_workspace_is_a_page_too(client: Client, workspace: Workspace) -> None:
    response = client.get("/workflox/oauth2/authorize?response_type=code&client_id=x")
    assert response.status_code == 503 and b"No such workspace" in response.content


def test_an_inactive_workspace_looks_the_same_as_an_unknown_one(client: Client, workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(is_active=False)
    inactive = client.get(PAGES.format(ws="workflow") + "/login/login")
    unknown = client.get(PAGES.format(ws="workflox") + "/login/login")
    assert inactive.status_code == unknown.status_code == 503
    assert inactive.content.decode().replace("workflow", "NAME") == unknown.content.decode().replace("workflox", "NAME")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/workflox/oauth2/token"), ("post", "/workflox/oauth2/revoke"),
        ("post", "/workflox/oauth2/introspect"), ("get", "/api/1.0/workflox/light/user/data"),
        ("get", "/workflox/.well-known/oauth-authorization-server"),
        ("get", "/.well-known/oauth-authorization-server/workflox"),
        ("post", "/sysworkflox/en/neoclassic/login/login"),
    ],
)  # fmt: skip
def test_programs_keep_processmakers_empty_503(client: Client, workspace: Workspace, method: str, path: str) -> None:
    response = getattr(client, method)(path, {"username": "admin", "password": PASSWORD} if method == "post" else {})
    assert response.status_code == 503 and response.content == b""
