"""Every token-endpoint error: ProcessMaker's codes, strings and checking order, in both error modes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from oauth_apps.responses import token_error
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import TOKEN_URL, post_token
from workspaces.models import ErrorMode, User, Workspace


def cases(app: RegisteredClient) -> list[tuple[dict[str, str], str, str, int]]:
    """(params, error, description, RFC 6749 status), in ProcessMaker's checking order."""
    good = {"client_id": app.application.client_id, "client_secret": app.client_secret}
    bad = {"client_id": app.application.client_id, "client_secret": "f" * 32}
    return [
        ({}, "invalid_request", "The grant type was not specified in the request", 400),
        ({"grant_type": "magic"}, "unsupported_grant_type", 'Grant type "magic" not supported', 400),
        ({"grant_type": "password"}, "invalid_client", "Client credentials were not found in the headers or body", 401),
        ({"grant_type": "password", **bad}, "invalid_client", "The client credentials are invalid", 401),
        ({"grant_type": "password", "client_id": "NOSUCHCLIENT", "client_secret": "x"},
         "invalid_client", "The client credentials are invalid", 401),
        ({"grant_type": "password", **good, "username": "johndoe"},
         "invalid_request", 'Missing parameters: "username" and "password" required', 400),
        ({"grant_type": "password", **good, "username": "johndoe", "password": "nope"},
         "invalid_grant", "Invalid username and password combination", 400),
        ({"grant_type": "password", **good, "username": "johndoe", "password": PASSWORD, "scope": "everything"},
         "invalid_scope", "An unsupported scope was requested", 400),
        ({"grant_type": "authorization_code", **good}, "invalid_request", 'Missing parameter: "code" is required', 400),
        ({"grant_type": "authorization_code", **good, "code": "0" * 40},
         "invalid_grant", "Authorization code doesn't exist or is invalid for the client", 400),
        ({"grant_type": "refresh_token", **good},
         "invalid_request", 'Missing parameter: "refresh_token" is required', 400),
        ({"grant_type": "refresh_token", **good, "refresh_token": "0" * 40},
         "invalid_grant", "Invalid refresh token", 400),
        ({"grant_type": "client_credentials", **good, "scope": "view_process admin"},
         "invalid_scope", "An unsupported scope was requested", 400),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(13))
def test_processmaker_mode_answers_errors_with_http_200(
    client: Client, app: RegisteredClient, operator_user: User, index: int
) -> None:
    params, error, description, _ = cases(app)[index]
    response = post_token(client, params)
    assert response.status_code == 200
    assert response.json() == {"error": error, "error_description": description}
    assert response["Cache-Control"] == "no-store"
    assert "WWW-Authenticate" not in response


@pytest.mark.parametrize("index", range(13))
def test_rfc6749_mode_answers_the_same_bodies_with_rfc_status_codes(
    client: Client, app: RegisteredClient, operator_user: User, index: int
) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(error_mode=ErrorMode.RFC6749)
    params, error, description, status = cases(app)[index]
    response = post_token(client, params)
    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}
    assert ("WWW-Authenticate" in response) == (status == 401)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_any_method_but_post_gets_processmakers_error(client: Client, workspace: Workspace, method: str) -> None:
    response = getattr(client, method)(TOKEN_URL)
    assert response.status_code == 200
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "The request method must be POST when requesting an access token",
    }


def test_the_client_is_checked_before_the_grant_parameters(client: Client, app: RegisteredClient) -> None:
    params = {"grant_type": "refresh_token", "client_id": app.application.client_id, "client_secret": "wrong"}
    assert post_token(client, params).json()["error_description"] == "The client credentials are invalid"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"grant_type": {"nested": 1}}', b"\xff\xfe", b'"just a string"'],
)
def test_malformed_json_bodies_get_a_clear_error_not_a_500(client: Client, workspace: Workspace, body: bytes) -> None:
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["error_description"] == "The grant type was not specified in the request"


def test_an_oversized_grant_type_is_cut_in_the_error(client: Client, workspace: Workspace) -> None:
    response = post_token(client, {"grant_type": "x" * 5000})
    assert response.json()["error"] == "unsupported_grant_type"
    assert len(response.json()["error_description"]) < 200


def test_a_malformed_basic_header_is_invalid_client_credentials(client: Client, app: RegisteredClient) -> None:
    response = post_token(client, {"grant_type": "client_credentials"}, headers={"Authorization": "Basic !!!notbase64"})
    assert response.json()["error"] == "invalid_client"


def test_an_oversized_body_is_a_400_not_a_500(client: Client, workspace: Workspace) -> None:
    big = "x" * (3 * 1024 * 1024)
    assert (
        client.post(
            TOKEN_URL, f"grant_type=password&junk={big}", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )
    assert client.post(TOKEN_URL, json.dumps({"grant_type": big}), content_type="application/json").status_code == 400


def test_too_many_fields_is_a_400_not_a_500(client: Client, workspace: Workspace) -> None:
    body = "&".join(f"f{number}=1" for number in range(1500))
    assert client.post(TOKEN_URL, body, content_type="application/x-www-form-urlencoded").status_code == 400


def test_an_empty_description_is_left_out_not_sent_empty(workspace: Workspace) -> None:
    """RFC 6749 5.2: error_description is optional."""
    assert json.loads(token_error(workspace, "invalid_grant", "", 400).content) == {"error": "invalid_grant"}
