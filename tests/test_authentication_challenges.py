"""What a 401 or 403 says about how to authenticate (RFC 6749 5.2, RFC 6750 3.1, RFC 7662 2.1), and
HTTP Basic at the device authorization endpoint (RFC 8628 3.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import basic_auth, bearer, issue, post_token
from workspaces.models import ErrorMode, User, Workspace

BASIC = 'Basic realm="workflow"'


def rfc6749(workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=ErrorMode.RFC6749)


def wrong_basic(app: RegisteredClient) -> dict[str, str]:
    return {"Authorization": basic_auth(app.application.client_id, "not the secret")}


@pytest.mark.parametrize("url", ["/workflow/oauth2/token", "/workflow/oauth2/revoke"])
def test_a_failed_basic_authentication_is_answered_with_basics_challenge(
    client: Client, app: RegisteredClient, workspace: Workspace, url: str
) -> None:
    rfc6749(workspace)
    body = {"grant_type": "client_credentials"} if url.endswith("token") else {"token": "x" * 40}
    response = post_token(client, body, url=url, headers=wrong_basic(app))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"] == BASIC


def test_a_failed_body_authentication_gets_the_same_401_in_rfc6749_mode(
    client: Client, app: RegisteredClient, workspace: Workspace
) -> None:
    rfc6749(workspace)
    body = {"grant_type": "client_credentials", "client_id": app.application.client_id, "client_secret": "wrong"}
    response = post_token(client, body)
    assert response.status_code == 401 and response["WWW-Authenticate"] == BASIC


def test_processmaker_mode_keeps_its_200_without_a_challenge(client: Client, app: RegisteredClient) -> None:
    response = post_token(client, {"grant_type": "client_credentials"}, headers=wrong_basic(app))
    assert response.status_code == 200 and "WWW-Authenticate" not in response


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_introspection_and_device_polls_challenge_with_basic_in_both_modes(
    client: Client, app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)
    introspected = post_token(client, {"token": "x" * 40}, url="/workflow/oauth2/introspect", headers=wrong_basic(app))
    assert introspected.status_code == 401 and introspected["WWW-Authenticate"] == BASIC
    poll = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "x"}
    polled = post_token(client, poll, headers=wrong_basic(app))
    assert polled.status_code == 401 and polled["WWW-Authenticate"] == BASIC


def test_introspection_checks_the_callers_credentials_before_anything_else(
    client: Client, app: RegisteredClient
) -> None:
    """A stranger learns nothing, not even that the request lacked a token."""
    no_token = post_token(client, {}, url="/workflow/oauth2/introspect", headers=wrong_basic(app))
    assert no_token.status_code == 401 and no_token.json()["error"] == "invalid_client"
    nobody = post_token(client, {}, url="/workflow/oauth2/introspect")
    assert nobody.status_code == 401


@pytest.fixture
def cli(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="CLI", website="https://cli.example", device_flow=True)


def test_device_authorization_takes_http_basic(client: Client, cli: RegisteredClient) -> None:
    """curl -u id:secret .../device_authorization (RFC 8628 3.1: as at the token endpoint)."""
    headers = {"Authorization": basic_auth(cli.application.client_id, cli.client_secret)}
    codes = post_token(client, {"scope": "view_process"}, url="/workflow/oauth2/device_authorization", headers=headers)
    assert codes.status_code == 200 and set(codes.json()) >= {"device_code", "user_code", "verification_uri"}
    wrong = post_token(client, {}, url="/workflow/oauth2/device_authorization", headers=wrong_basic(cli))
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"] == BASIC
    garbled = post_token(client, {}, url="/workflow/oauth2/device_authorization", headers={"Authorization": "Basic !!"})
    assert garbled.status_code == 401 and garbled.json()["error"] == "invalid_client"
    someone_else = {"client_id": "SOMEONEELSESOMEONEELSESOMEONEELS"}
    disagreeing = post_token(client, someone_else, url="/workflow/oauth2/device_authorization", headers=headers)
    assert disagreeing.status_code == 401 and disagreeing.json()["error"] == "invalid_client"


def api(client: Client, token: str, method: str = "get", path: str = "users") -> Any:
    return getattr(client, method)(f"/api/1.0/workflow/{path}", headers=bearer(token))


def test_an_insufficient_scope_says_which_scope_is_needed(client: Client, app: RegisteredClient, admin: User) -> None:
    read_only = api(client, issue(app, admin, scope="view_process"), "post", "user")
    assert read_only.status_code == 403 and read_only.json()["error"]["code"] == 403
    assert read_only["WWW-Authenticate"] == 'Bearer realm="workflow", error="insufficient_scope", scope="edit_process"'
    AccessToken.objects.update(scope="")
    nothing = api(client, AccessToken.objects.get().token)
    assert nothing["WWW-Authenticate"].endswith('error="insufficient_scope", scope="view_process"')


def test_a_missing_permission_gets_no_challenge(client: Client, app: RegisteredClient, operator_user: User) -> None:
    response = api(client, issue(app, operator_user))
    assert response.status_code == 403 and "WWW-Authenticate" not in response


def test_an_expired_token_says_so_in_the_header_and_keeps_processmakers_body(
    client: Client, app: RegisteredClient, admin: User
) -> None:
    token = issue(app, admin)
    AccessToken.objects.filter(token=token).update(expires=timezone.now())
    response = api(client, token)
    assert response.status_code == 401 and response.json() == {"error": {"code": 401, "message": "Unauthorized"}}
    assert response["WWW-Authenticate"] == (
        'Bearer realm="workflow", error="invalid_token", error_description="The access token expired"'
    )


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_revocation_answers_rfc_statuses_in_both_modes(
    client: Client, app: RegisteredClient, admin: User, workspace: Workspace, mode: str
) -> None:
    """ProcessMaker has no revocation endpoint: a 200 for a wrong secret read as success to openid-client."""
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)
    token = issue(app, admin)
    wrong = post_token(client, {"token": token}, url="/workflow/oauth2/revoke", headers=wrong_basic(app))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    assert wrong["WWW-Authenticate"] == BASIC
    right = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    no_token = post_token(client, {}, url="/workflow/oauth2/revoke", headers=right)
    assert no_token.status_code == 400 and no_token.json()["error"] == "invalid_request"
    assert AccessToken.objects.filter(token=token).exists()
