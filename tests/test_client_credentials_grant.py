"""grant_type=client_credentials: a token for no user, and no refresh token."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import ENCODINGS, basic_auth, credentials, post_token
from workspaces.models import User

INVALID_CLIENT = {"error": "invalid_client", "error_description": "The client credentials are invalid"}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("auth", ["body", "basic"])
def test_client_credentials_gives_an_access_token_without_user_or_refresh_token(
    client: Client, app: RegisteredClient, encoding: str, auth: str
) -> None:
    body, headers = credentials(app, auth)
    response = post_token(client, {"grant_type": "client_credentials", **body}, encoding=encoding, headers=headers)
    data = response.json()
    assert response.status_code == 200
    assert list(data) == ["access_token", "expires_in", "token_type", "scope"]
    stored = AccessToken.objects.get(token=data["access_token"])
    assert stored.user is None and stored.user_uid is None


def test_basic_credentials_are_url_decoded(client: Client, admin: User) -> None:
    registered = register_application(admin.workspace, admin, name="app", website="https://example.com")
    # A secret with characters that RFC 6749 2.3.1 says must be form-encoded in Basic auth.
    application = registered.application
    application.client_secret = "a b+c:d%e"
    application.save()
    headers = {"Authorization": basic_auth(application.client_id, "a b+c:d%e")}
    assert "access_token" in post_token(client, {"grant_type": "client_credentials"}, headers=headers).json()


def test_a_wrong_secret_is_refused(client: Client, app: RegisteredClient) -> None:
    params = {"grant_type": "client_credentials", "client_id": app.application.client_id, "client_secret": "0" * 32}
    assert post_token(client, params).json() == INVALID_CLIENT


def test_a_public_client_cannot_use_client_credentials(client: Client, public_app: RegisteredClient) -> None:
    params = {"grant_type": "client_credentials", "client_id": public_app.application.client_id, "client_secret": ""}
    assert post_token(client, params).json() == INVALID_CLIENT


def test_the_client_id_is_matched_exactly(client: Client, app: RegisteredClient) -> None:
    params = {
        "grant_type": "client_credentials",
        "client_id": app.application.client_id.lower(),
        "client_secret": app.client_secret,
    }
    assert post_token(client, params).json() == INVALID_CLIENT


def test_the_local_web_client_is_refused_at_the_token_endpoint(client: Client, admin: User) -> None:
    local = Application.objects.get(workspace=admin.workspace, is_local=True)
    local.client_secret = "known only to this test"
    local.save()
    params = {
        "grant_type": "client_credentials",
        "client_id": local.client_id,
        "client_secret": "known only to this test",
    }
    assert post_token(client, params).json() == INVALID_CLIENT


def test_a_client_of_another_workspace_is_unknown_here(
    client: Client, app: RegisteredClient, foreign_app: RegisteredClient, caplog: pytest.LogCaptureFixture
) -> None:
    body, _ = credentials(foreign_app, "body")
    assert post_token(client, {"grant_type": "client_credentials", **body}).json() == INVALID_CLIENT
    assert "was used on workspace workflow" in caplog.text
    assert foreign_app.client_secret not in caplog.text


def test_one_token_costs_a_bounded_number_of_queries(
    client: Client, app: RegisteredClient, django_assert_max_num_queries: object
) -> None:
    body, _ = credentials(app, "body")
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert post_token(client, {"grant_type": "client_credentials", **body}).status_code == 200
