"""CORS: the seed's jQuery and XMLHttpRequest examples call the token endpoint and the API from other origins."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.oauth import bearer, credentials, issue, post_token
from workspaces.models import User, Workspace

ORIGIN = {"Origin": "http://192.168.1.77:2803"}


@pytest.mark.parametrize(
    "path",
    [
        "/workflow/oauth2/token", "/api/1.0/workflow/users", "/api/1.0/workflow/light/user/data",
        "/workflow/oauth2/userinfo", "/workflow/oauth2/jwks", "/workflow/.well-known/openid-configuration",
    ],
)  # fmt: skip
def test_preflight_is_answered_with_methods_and_headers(client: Client, workspace: Workspace, path: str) -> None:
    response = client.options(
        path,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) >= {
        "GET",
        "POST",
        "PUT",
        "DELETE",
        "OPTIONS",
    }
    assert set(response["Access-Control-Allow-Headers"].replace(" ", "").split(",")) == {
        "authorization",
        "content-type",
    }
    assert response["Access-Control-Max-Age"] == "60"


def test_token_responses_carry_the_cors_header(client: Client, app: RegisteredClient) -> None:
    body, _ = credentials(app, "body")
    response = post_token(client, {"grant_type": "client_credentials", **body}, headers=ORIGIN)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_api_responses_and_errors_carry_the_cors_header(client: Client, app: RegisteredClient, admin: User) -> None:
    assert (
        client.get("/api/1.0/workflow/users", headers={**ORIGIN, **bearer(issue(app, admin))})[
            "Access-Control-Allow-Origin"
        ]
        == "*"
    )
    assert client.get("/api/1.0/workflow/users", headers=ORIGIN)["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "path", ["/workflow/oauth2/authorize?client_id=X&response_type=code", "/sysworkflow/en/neoclassic/login/login"]
)
def test_authorize_and_web_pages_are_not_opened_to_other_origins(
    client: Client, workspace: Workspace, path: str
) -> None:
    assert "Access-Control-Allow-Origin" not in client.get(path, headers=ORIGIN)


def test_a_plain_options_request_on_the_token_endpoint_is_not_post(client: Client, workspace: Workspace) -> None:
    response = client.options("/workflow/oauth2/token")
    assert response.json()["error_description"] == "The request method must be POST when requesting an access token"
