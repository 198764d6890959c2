"""RFC 7662 introspection at /{ws}/oauth2/introspect: the workspace's confidential clients ask what a
token is; anything not usable here (expired, revoked, another workspace's, a user who can no longer
log in) is simply inactive. A small resource server validates our tokens with it and nothing else."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import basic_auth, issue, password_grant, post_token
from workspaces.models import User

URL = "/workflow/oauth2/introspect"


def introspect(app: RegisteredClient, token: str, how: str = "basic", **extra: str) -> Any:
    body = {"token": token, **extra}
    headers = {}
    if how == "basic":
        headers["Authorization"] = basic_auth(app.application.client_id, app.client_secret)
    elif how == "body":
        body |= {"client_id": app.application.client_id, "client_secret": app.client_secret}
    return Client().post(URL, urllib.parse.urlencode(body), content_type="application/x-www-form-urlencoded",
                         headers=headers)  # fmt: skip


@pytest.fixture
def tokens(client: Client, app: RegisteredClient, operator_user: User) -> dict[str, str]:
    return dict(password_grant(client, app, "johndoe", PASSWORD, scope="view_process").json())


@pytest.mark.parametrize("how", ["basic", "body"])
def test_an_access_token_is_described(
    app: RegisteredClient, operator_user: User, tokens: dict[str, str], how: str
) -> None:
    response = introspect(app, tokens["access_token"], how)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    claims = response.json()
    row = AccessToken.objects.get(user=operator_user)
    assert claims == {
        "active": True, "scope": "view_process", "client_id": app.application.client_id, "username": "JohnDoe",
        "sub": operator_user.uid, "token_type": "Bearer", "iss": "http://testserver/workflow",
        "iat": int(row.created.timestamp()), "exp": int(row.expires.timestamp()),
    }  # fmt: skip


def test_a_refresh_token_is_described_whatever_the_hint(
    app: RegisteredClient, operator_user: User, tokens: dict[str, str]
) -> None:
    for hint in ({}, {"token_type_hint": "refresh_token"}, {"token_type_hint": "access_token"}):
        claims = introspect(app, tokens["refresh_token"], **hint).json()
        assert claims["active"] is True and "token_type" not in claims  # RFC 7662: the access token's type only
        assert claims["sub"] == operator_user.uid and claims["exp"] - claims["iat"] == 14 * 24 * 3600
    assert introspect(app, tokens["access_token"], token_type_hint="refresh_token").json()["token_type"] == "Bearer"


def test_a_client_credentials_token_names_no_user(app: RegisteredClient) -> None:
    claims = introspect(app, issue(app, None)).json()
    assert claims["active"] is True and claims["client_id"] == app.application.client_id
    assert "sub" not in claims and "username" not in claims


def test_any_confidential_client_of_the_workspace_may_ask(
    app: RegisteredClient, admin: User, tokens: dict[str, str]
) -> None:
    resource_server = register_application(admin.workspace, admin, name="Resource server", website="https://rs.example")
    assert introspect(resource_server, tokens["access_token"]).json()["active"] is True


def test_tokens_that_would_be_refused_are_inactive(
    client: Client, app: RegisteredClient, operator_user: User, tokens: dict[str, str],
    foreign_app: RegisteredClient, stranger: User,
) -> None:  # fmt: skip
    inactive = {"active": False}
    assert introspect(app, "0" * 40).json() == inactive
    assert introspect(app, issue(foreign_app, stranger)).json() == inactive
    expired = issue(app, operator_user)
    AccessToken.objects.filter(token=expired).update(expires=timezone.now() - timedelta(seconds=1))
    assert introspect(app, expired).json() == inactive
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.VACATION)
    assert introspect(app, tokens["access_token"]).json() == inactive
    assert introspect(app, tokens["refresh_token"]).json() == inactive
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.ACTIVE)
    revoke = {
        "token": tokens["refresh_token"],
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
    }
    assert post_token(client, revoke, url="/workflow/oauth2/revoke").status_code == 200
    assert introspect(app, tokens["access_token"]).json() == inactive
    assert introspect(app, tokens["refresh_token"]).json() == inactive


def test_only_an_authenticated_confidential_client_of_the_workspace_may_ask(
    app: RegisteredClient, public_app: RegisteredClient, foreign_app: RegisteredClient, tokens: dict[str, str]
) -> None:
    token = tokens["access_token"]
    public = {"token": token, "client_id": public_app.application.client_id}
    for response in (
        introspect(app, token, how="none"),
        Client().post(URL, public),
        introspect(foreign_app, token),
        Client().post(URL, {"token": token}, headers={"Authorization": basic_auth(app.application.client_id, "wrong")}),
    ):
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"
        assert "active" not in response.json()
    missing = introspect(app, "")
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"


# --- A customer's resource server that keeps no database: it asks us about each token. ---------


class ResourceServer(BaseHTTPRequestHandler):
    introspect_url = ""
    credentials = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        request = urllib.request.Request(
            self.introspect_url, data=urllib.parse.urlencode({"token": token}).encode(),
            headers={"Authorization": f"Basic {self.credentials}"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own server
            claims = json.load(answer)
        status, body = (200, {"hello": claims["username"]}) if claims["active"] else (401, {"error": "invalid_token"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def resource_server(live_server: Any, app: RegisteredClient) -> Iterator[str]:
    ResourceServer.introspect_url = live_server.url + URL
    raw = f"{app.application.client_id}:{app.client_secret}".encode()
    ResourceServer.credentials = base64.b64encode(raw).decode()
    server = HTTPServer(("127.0.0.1", 0), ResourceServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def call(url: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own server
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_resource_server_without_a_database_validates_our_tokens(
    resource_server: str, live_server: Any, app: RegisteredClient, operator_user: User
) -> None:
    params = {"grant_type": "password", "username": "johndoe", "password": PASSWORD,
              "client_id": app.application.client_id, "client_secret": app.client_secret}  # fmt: skip
    request = urllib.request.Request(
        live_server.url + "/workflow/oauth2/token", urllib.parse.urlencode(params).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the test's own server
        tokens = json.load(answer)
    assert call(resource_server, tokens["access_token"]) == (200, {"hello": "JohnDoe"})
    revoke = urllib.parse.urlencode({"token": tokens["access_token"], "client_id": app.application.client_id,
                                     "client_secret": app.client_secret}).encode()  # fmt: skip
    urllib.request.urlopen(live_server.url + "/workflow/oauth2/revoke", revoke, timeout=10).close()  # noqa: S310
    assert call(resource_server, tokens["access_token"]) == (401, {"error": "invalid_token"})
    assert call(resource_server, "made-up") == (401, {"error": "invalid_token"})
