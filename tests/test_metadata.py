"""RFC 8414 metadata per workspace, at /{ws}/.well-known/oauth-authorization-server and the path-insertion
form /.well-known/oauth-authorization-server/{ws}; a real client library configured from it alone
completes the code flow with PKCE against a running server."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client
from requests_oauthlib import OAuth2Session

from oauth_apps.services import register_application
from tests.conftest import PASSWORD
from workspaces.models import ErrorMode, User, Workspace

CALLBACK = "https://client.example/cb"
PATHS = ["/workflow/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/workflow"]


@pytest.mark.parametrize("path", PATHS)
def test_the_metadata_names_the_workspaces_issuer_and_endpoints(
    client: Client, workspace: Workspace, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    meta = response.json()
    assert meta["issuer"] == "http://testserver/workflow"
    assert meta["authorization_endpoint"] == "http://testserver/workflow/oauth2/authorize"
    assert meta["token_endpoint"] == "http://testserver/workflow/oauth2/token"
    assert meta["revocation_endpoint"] == "http://testserver/workflow/oauth2/revoke"
    assert meta["introspection_endpoint"] == "http://testserver/workflow/oauth2/introspect"
    assert set(meta["grant_types_supported"]) == {
        "authorization_code", "implicit", "password", "client_credentials", "refresh_token",
        "urn:ietf:params:oauth:grant-type:device_code",
    }  # fmt: skip
    assert meta["response_types_supported"] == ["code", "token"]
    assert meta["code_challenge_methods_supported"] == ["S256", "plain"]
    assert meta["scopes_supported"] == ["*", "view_process", "edit_process"]
    assert "client_secret_basic" in meta["token_endpoint_auth_methods_supported"]
    assert "none" not in meta["introspection_endpoint_auth_methods_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is False
    assert client.get(PATHS[0]).json() == client.get(PATHS[1]).json()
    assert client.post(path).status_code == 405


def test_the_issuer_is_what_rfc6749_mode_puts_in_iss(client: Client, admin: User, operator_user: User) -> None:
    Workspace.objects.filter(pk=admin.workspace_id).update(error_mode=ErrorMode.RFC6749)
    meta = client.get(PATHS[1]).json()
    assert meta["authorization_response_iss_parameter_supported"] is True
    web = register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    url = f"/workflow/oauth2/authorize?response_type=code&client_id={web.application.client_id}&scope=*"
    location = client.post(url, {"accept": "Accept"})["Location"]
    assert parse_qs(urlsplit(location).query)["iss"] == [meta["issuer"]]


def test_each_workspace_has_its_own_and_an_unknown_one_has_none(
    client: Client, workspace: Workspace, other_workspace: Workspace
) -> None:
    assert client.get("/other/.well-known/oauth-authorization-server").json()["issuer"] == "http://testserver/other"
    for path in ("/nowhere/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server/nowhere"):
        response = client.get(path)
        assert response.status_code == 503 and response.content == b""
    assert client.get("/.well-known/oauth-authorization-server").status_code == 404


def test_browsers_may_read_it_from_any_origin(client: Client, workspace: Workspace) -> None:
    response = client.get(PATHS[0], headers={"Origin": "https://spa.example"})
    assert response["Access-Control-Allow-Origin"] == "*"


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_client_configured_from_the_metadata_alone_completes_the_code_flow(
    live_server: Any, admin: User, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks plain HTTP on loopback
    web = register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)
    meta = requests.get(f"{live_server.url}/.well-known/oauth-authorization-server/workflow", timeout=10).json()

    oauth = OAuth2Session(web.application.client_id, redirect_uri=CALLBACK, scope=["view_process"], pkce="S256")
    authorization_url, state = oauth.authorization_url(meta["authorization_endpoint"])

    browser = requests.Session()  # the person: logs in, then accepts
    login = browser.get(authorization_url, timeout=10)
    assert "/login/login" in login.url
    consent = browser.post(
        login.url, {"csrfmiddlewaretoken": csrf_of(login.text), "username": "johndoe", "password": PASSWORD},
        headers={"Referer": login.url}, timeout=10,
    )  # fmt: skip
    assert consent.status_code == 200 and "Accept" in consent.text
    accepted = browser.post(
        consent.url, {"csrfmiddlewaretoken": csrf_of(consent.text), "accept": "Accept"},
        headers={"Referer": consent.url}, allow_redirects=False, timeout=10,
    )  # fmt: skip
    callback = urljoin(consent.url, accepted.headers["Location"])
    assert callback.startswith(CALLBACK) and parse_qs(urlsplit(callback).query)["state"] == [state]

    token = oauth.fetch_token(
        meta["token_endpoint"], authorization_response=callback, client_secret=web.client_secret, timeout=10
    )
    assert token["token_type"].lower() == "bearer" and token["scope"] == ["view_process"]  # "bearer", as ProcessMaker
    me = oauth.get(f"{live_server.url}/api/1.0/workflow/light/user/data", timeout=10)
    assert me.status_code == 200 and me.json()["userId"] == operator_user.uid
