"""Workspace names that look like other URL shapes or the site's own paths still route exactly.

`/sys{ws}/{lang}/{skin}/` and `/{ws}/oauth2/` overlap when a name starts with "sys": the second path
segment decides (`oauth2` always means the `/{ws}/oauth2/` shape). Each request must reach exactly
the workspace its URL names, or answer 503.
"""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import provision_workspace
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import bearer, post_token
from workspaces.models import User, Workspace

TRICKY = ["sysother", "system", "sys", "oauth2", "api", "admin", "static", "health"]


def client_of(name: str) -> RegisteredClient:
    workspace = Workspace.objects.get(name=name)
    owner = User.objects.get_in_workspace(workspace, "admin")
    return register_application(workspace, owner, name=f"{name} app", website="https://example.com")


def token_at(name: str, app: RegisteredClient, prefix: str = "") -> dict[str, str]:
    params = {
        "grant_type": "password",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
        "username": "admin",
        "password": PASSWORD,
    }
    return post_token(Client(), params, url=f"{prefix}/{name}/oauth2/token").json()  # type: ignore[no-any-return]


@pytest.fixture
def tricky(db: None) -> dict[str, RegisteredClient]:
    for name in ["other", *TRICKY]:
        provision_workspace(name, "admin", PASSWORD)
    return {name: client_of(name) for name in ["other", *TRICKY]}


@pytest.mark.parametrize("name", TRICKY)
def test_the_token_endpoint_serves_exactly_the_named_workspace(tricky: dict[str, RegisteredClient], name: str) -> None:
    token = token_at(name, tricky[name])
    assert "access_token" in token, token
    response = Client().get(f"/api/1.0/{name}/light/user/data", headers=bearer(token["access_token"]))
    assert response.status_code == 200
    assert User.objects.get(uid=response.json()["userId"]).workspace.name == name  # type: ignore[union-attr]


@pytest.mark.parametrize("name", TRICKY)
def test_the_rest_base_urls_token_endpoint_serves_exactly_the_named_workspace(
    tricky: dict[str, RegisteredClient], name: str
) -> None:
    token = token_at(name, tricky[name], prefix="/api/1.0")
    assert "access_token" in token, token
    assert token_at(name, tricky["other"], prefix="/api/1.0")["error"] == "invalid_client"
    response = Client().get(f"/api/1.0/{name}/light/user/data", headers=bearer(token["access_token"]))
    assert User.objects.get(uid=response.json()["userId"]).workspace.name == name  # type: ignore[union-attr]


@pytest.mark.parametrize("name", TRICKY)
def test_the_metadata_is_the_named_workspaces_in_both_shapes(tricky: dict[str, RegisteredClient], name: str) -> None:
    for path in (f"/{name}/.well-known/oauth-authorization-server", f"/.well-known/oauth-authorization-server/{name}"):
        meta = Client().get(path).json()
        assert meta["issuer"] == f"http://testserver/{name}", path
        assert meta["token_endpoint"] == f"http://testserver/{name}/oauth2/token", path


@pytest.mark.parametrize("name", TRICKY)
def test_another_workspaces_client_is_unknown_there(tricky: dict[str, RegisteredClient], name: str) -> None:
    assert token_at(name, tricky["other"])["error"] == "invalid_client"


def test_sysother_is_not_served_as_other(tricky: dict[str, RegisteredClient]) -> None:
    assert token_at("sysother", tricky["other"])["error"] == "invalid_client"
    assert "access_token" in token_at("sysother", tricky["sysother"])


@pytest.mark.parametrize("name", TRICKY)
def test_the_login_page_is_the_named_workspaces(tricky: dict[str, RegisteredClient], name: str) -> None:
    response = Client().get(f"/sys{name}/en/neoclassic/login/login")
    assert response.status_code == 200
    assert f"Log in to workspace {name}</h1>".encode() in response.content


@pytest.mark.parametrize("name", TRICKY)
def test_the_authorize_page_sends_users_to_the_named_workspaces_login(
    tricky: dict[str, RegisteredClient], name: str
) -> None:
    app = tricky[name].application
    app.redirect_uris = "https://client.example/cb"
    app.save()
    response = Client().get(f"/{name}/oauth2/authorize", {"response_type": "code", "client_id": app.client_id})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/sys{name}/en/neoclassic/login/login?u=")


@pytest.mark.parametrize("name", TRICKY)
def test_another_workspaces_token_is_refused_on_the_api(tricky: dict[str, RegisteredClient], name: str) -> None:
    other = token_at("other", tricky["other"])["access_token"]
    assert Client().get(f"/api/1.0/{name}/light/user/data", headers=bearer(other)).status_code == 401


@pytest.mark.parametrize("name", TRICKY)
def test_without_the_workspace_every_shape_answers_503(db: None, name: str) -> None:
    paths = (
        f"/{name}/oauth2/token", f"/sys{name}/en/neoclassic/login/login", f"/api/1.0/{name}/users",
        f"/api/1.0/{name}/oauth2/token", f"/{name}/oauth2/{'a' * 40}/expire",
        f"/{name}/.well-known/oauth-authorization-server", f"/.well-known/oauth-authorization-server/{name}",
    )  # fmt: skip
    for path in paths:
        response = Client().post(path)
        assert response.status_code == 503 and response.content == b"", path


def test_the_sites_own_pages_still_work_beside_such_workspaces(tricky: dict[str, RegisteredClient]) -> None:
    assert Client().get("/health").status_code == 200
    assert Client().get("/admin/login/").status_code == 200
    assert Client().get("/static/pm/site.css").status_code == 200
