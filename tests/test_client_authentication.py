"""Client authentication at the token endpoint: Basic in any case, Basic alone when it is sent, and
no request whose header and body name different credentials."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import post_token
from tests.test_authorize import BACKEND, CALLBACK, accept, authorize_url, exchange
from workspaces.models import User


@pytest.fixture
def coded_app(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)


INVALID = {"error": "invalid_client", "error_description": "The client credentials are invalid"}


def basic(app: RegisteredClient, scheme: str = "Basic", secret: str | None = None) -> dict[str, str]:
    raw = f"{app.application.client_id}:{app.client_secret if secret is None else secret}".encode()
    return {"Authorization": f"{scheme} {base64.b64encode(raw).decode()}"}


@pytest.mark.parametrize("scheme", ["Basic", "basic", "BASIC", "bAsIc"])
def test_the_basic_scheme_is_case_insensitive(client: Client, app: RegisteredClient, scheme: str) -> None:
    response = post_token(client, {"grant_type": "client_credentials"}, headers=basic(app, scheme))
    assert "access_token" in response.json()


def test_repeating_the_same_credentials_in_the_body_still_works(client: Client, app: RegisteredClient) -> None:
    body = {
        "grant_type": "client_credentials",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
    }
    assert "access_token" in post_token(client, body, headers=basic(app)).json()


def test_a_body_naming_another_client_than_basic_is_refused(client: Client, app: RegisteredClient, admin: User) -> None:
    other = register_application(admin.workspace, admin, name="o", website="https://o.example")
    body = {"grant_type": "client_credentials", "client_id": other.application.client_id,
            "client_secret": other.client_secret}  # fmt: skip
    assert post_token(client, body, headers=basic(app)).json() == INVALID


def test_a_body_secret_other_than_basics_is_refused(client: Client, app: RegisteredClient) -> None:
    body = {"grant_type": "client_credentials", "client_secret": "0" * 32}
    assert post_token(client, body, headers=basic(app)).json() == INVALID


def test_a_wrong_basic_secret_does_not_fall_back_to_a_right_body(client: Client, app: RegisteredClient) -> None:
    body = {"grant_type": "client_credentials", "client_id": app.application.client_id}
    body_with_secret = {**body, "client_secret": app.client_secret}
    assert post_token(client, body, headers=basic(app, secret="f" * 32)).json() == INVALID
    assert post_token(client, body_with_secret, headers=basic(app, secret="f" * 32)).json() == INVALID


def test_undecodable_basic_credentials_are_invalid(client: Client, app: RegisteredClient) -> None:
    headers = {"Authorization": "Basic %%%not-base64%%%"}
    assert post_token(client, {"grant_type": "client_credentials"}, headers=headers).json() == INVALID


def test_the_code_exchange_must_repeat_a_redirect_uri_the_authorize_request_sent(
    client: Client, coded_app: RegisteredClient, operator_user: User
) -> None:
    client.force_login(operator_user, backend=BACKEND)
    code = accept(client, authorize_url(coded_app, redirect_uri=CALLBACK))["code"][0]
    assert exchange(Client(), coded_app, code)["error"] == "redirect_uri_mismatch"
    code = accept(client, authorize_url(coded_app, redirect_uri=CALLBACK))["code"][0]
    assert "access_token" in exchange(Client(), coded_app, code, redirect_uri=CALLBACK)
