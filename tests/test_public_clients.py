"""A public client (no secret) gets only the code flow with PKCE S256 and refreshes; confidential
clients keep every ProcessMaker grant."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import post_token, returned
from tests.test_authorize import S256, VERIFIER, accept, authorize_url
from workspaces.models import User

UNAUTHORIZED = {
    "error": "unauthorized_client",
    "error_description": "The grant type is unauthorized for this client_id",
}


@pytest.fixture
def logged_in(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    return client


def test_no_password_grant_for_a_public_client(public_app: RegisteredClient, operator_user: User) -> None:
    params = {"grant_type": "password", "client_id": public_app.application.client_id,
              "username": "johndoe", "password": PASSWORD}  # fmt: skip
    assert post_token(Client(), params).json() == UNAUTHORIZED


def test_no_client_credentials_grant_for_a_public_client(public_app: RegisteredClient) -> None:
    params = {"grant_type": "client_credentials", "client_id": public_app.application.client_id}
    assert post_token(Client(), params).json()["error"] in {"invalid_client", "unauthorized_client"}


def test_no_implicit_grant_for_a_public_client(logged_in: Client, public_app: RegisteredClient) -> None:
    response = logged_in.get(authorize_url(public_app, response_type="token"))
    assert returned(response)[1]["error"] == ["unauthorized_client"]  # the implicit flow answers in the fragment


def test_no_plain_pkce_for_a_public_client(logged_in: Client, public_app: RegisteredClient) -> None:
    response = logged_in.get(authorize_url(public_app, code_challenge=VERIFIER, code_challenge_method="plain"))
    query = returned(response)[0]
    assert query["error"] == ["invalid_request"] and "S256" in query["error_description"][0]
    response = logged_in.get(authorize_url(public_app, code_challenge=VERIFIER))  # plain by default
    assert returned(response)[0]["error"] == ["invalid_request"]


def test_a_public_client_gets_the_code_flow_with_s256_and_may_refresh(
    logged_in: Client, public_app: RegisteredClient
) -> None:
    code = accept(logged_in, authorize_url(public_app, code_challenge=S256, code_challenge_method="S256"))["code"][0]
    client_id = public_app.application.client_id
    params = {"grant_type": "authorization_code", "code": code, "client_id": client_id, "code_verifier": VERIFIER}
    tokens = post_token(Client(), params).json()
    refreshed = post_token(
        Client(), {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": client_id}
    ).json()
    assert "access_token" in refreshed


def test_a_confidential_client_keeps_the_implicit_grant(logged_in: Client, app: RegisteredClient) -> None:
    app.application.redirect_uris = "https://client.example/cb"
    app.application.save()
    response = logged_in.post(authorize_url(app, response_type="token"), {"accept": "Accept"})
    assert "#access_token=" in response["Location"]
