"""ProcessMaker's token routes at both of its prefixes (/{ws}/oauth2/ and /api/1.0/{ws}/oauth2/):
token and authorize, and the two where the token in the path is the credential, expire and delete."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import bearer, issue, post_token, refresh_grant
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

PREFIXES = ["/workflow/oauth2", "/api/1.0/workflow/oauth2"]
ME = "/api/1.0/workflow/light/user/data"
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}


def login(client: Client, app: RegisteredClient, prefix: str) -> dict[str, str]:
    params = {"grant_type": "password", "client_id": app.application.client_id, "client_secret": app.client_secret,
              "username": "johndoe", "password": PASSWORD}  # fmt: skip
    response = post_token(client, params, url=f"{prefix}/token")
    assert response.status_code == 200, response.content
    return dict(response.json())


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_token_endpoint_answers_at_both_prefixes(
    client: Client, app: RegisteredClient, operator_user: User, prefix: str
) -> None:
    tokens = login(client, app, prefix)
    assert client.get(ME, headers=bearer(tokens["access_token"])).json()["userId"] == operator_user.uid
    wrong = post_token(client, {"grant_type": "password"}, url=f"{prefix}/token").json()
    assert wrong == {
        "error": "invalid_client",
        "error_description": "Client credentials were not found in the headers or body",
    }


def test_authorize_answers_under_the_rest_base_url_too(client: Client, admin: User, operator_user: User) -> None:
    web = register_application(
        admin.workspace, admin, name="Web", website="https://c.example", callback="https://c.example/cb"
    )
    url = f"/api/1.0/workflow/oauth2/authorize?response_type=code&client_id={web.application.client_id}&scope=*"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/sysworkflow/en/neoclassic/login/login?u=")
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    assert client.get(url).status_code == 200
    accepted = client.post(url, {"accept": "Accept"})
    assert accepted.status_code == 302 and accepted["Location"].startswith("https://c.example/cb?code=")
    code = parse_qs(urlsplit(accepted["Location"]).query)["code"][0]
    params = {"grant_type": "authorization_code", "code": code, "client_id": web.application.client_id,
              "client_secret": web.client_secret}  # fmt: skip
    assert "access_token" in post_token(Client(), params, url="/api/1.0/workflow/oauth2/token").json()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_expire_makes_the_token_refused_from_the_next_request_on(
    client: Client, app: RegisteredClient, operator_user: User, prefix: str
) -> None:
    tokens = login(client, app, prefix)
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 200
    response = Client().post(f"{prefix}/{tokens['access_token']}/expire")
    assert response.status_code == 200 and response.json() == {}
    refused = client.get(ME, headers=bearer(tokens["access_token"]))
    assert refused.status_code == 401 and refused.json() == UNAUTHORIZED
    event = AuditEvent.objects.get(event_type=AuditEventType.TOKEN_EXPIRED)
    assert event.target_user_id == operator_user.pk and event.client_id == app.application.client_id
    # The refresh token still works, as in ProcessMaker: expiring is not logging out.
    assert "access_token" in refresh_grant(client, app, tokens["refresh_token"]).json()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_delete_removes_the_token_and_what_hangs_on_it(
    client: Client, app: RegisteredClient, operator_user: User, prefix: str
) -> None:
    tokens = login(client, app, prefix)
    response = Client().delete(f"{prefix}/{tokens['access_token']}")
    assert response.status_code == 200 and response.json() == {}
    assert client.get(ME, headers=bearer(tokens["access_token"])).json() == UNAUTHORIZED
    assert not AccessToken.objects.filter(user=operator_user).exists()
    assert RefreshToken.objects.get(user=operator_user).revoked is not None
    revoked = AuditEvent.objects.get(event_type=AuditEventType.TOKENS_REVOKED)
    assert "through its URL" in revoked.extra["why"] and revoked.extra["count"] == 2


def test_a_web_sessions_token_deleted_by_its_url_leaves_no_session_link(client: Client, operator_user: User) -> None:
    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    web = AccessToken.objects.get(user=operator_user)
    assert hasattr(web, "web_session")
    assert Client().delete(f"/workflow/oauth2/{web.token}").status_code == 200
    assert not AccessToken.objects.filter(pk=web.pk).exists()


@pytest.mark.parametrize("path", ["{prefix}/{token}/expire", "{prefix}/{token}"])
def test_another_workspaces_token_is_untouched_and_answered_like_an_unknown_one(
    foreign_app: RegisteredClient, stranger: User, admin: User, path: str
) -> None:
    theirs = issue(foreign_app, stranger)
    method = "post" if path.endswith("expire") else "delete"
    for token in (theirs, "0" * 40, "not a token at all"):
        response = getattr(Client(), method)(path.format(prefix="/api/1.0/workflow/oauth2", token=token))
        assert response.status_code == 200 and response.json() == {}
    assert Client().get("/api/1.0/other/light/user/data", headers=bearer(theirs)).status_code == 200
    attempt = AuditEvent.objects.get(event_type=AuditEventType.CROSS_WORKSPACE_ATTEMPT)
    assert attempt.workspace_id == admin.workspace_id and attempt.extra["credential"] == "access token in a URL"


def test_the_routes_take_no_other_method_and_need_no_csrf_token(
    app: RegisteredClient, operator_user: User, admin: User
) -> None:
    token = issue(app, operator_user)
    assert Client().get(f"/workflow/oauth2/{token}/expire").status_code == 405
    assert Client().post(f"/workflow/oauth2/{token}").status_code == 405
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin, backend="workspaces.backends.WorkspaceBackend")
    assert browser.post(f"/workflow/oauth2/{token}/expire").status_code == 200  # a session cookie changes nothing


@pytest.mark.parametrize(
    ("path", "cors"),
    [("/workflow/oauth2/abc/expire", True), ("/api/1.0/workflow/oauth2/abc", True),
     ("/api/1.0/workflow/oauth2/token", True), ("/workflow/oauth2/authorize", False),
     ("/api/1.0/workflow/oauth2/authorize", False), ("/workflow/oauth2/introspect", False)],
)  # fmt: skip
def test_cors_like_the_token_endpoint_but_never_authorize_or_introspect(
    client: Client, workspace: object, path: str, cors: bool
) -> None:
    preflight = client.options(
        path, headers={"Origin": "https://spa.example", "Access-Control-Request-Method": "DELETE"}
    )
    assert ("access-control-allow-origin" in preflight.headers) is cors


@pytest.mark.parametrize("prefix", ["/workflow/oauth2", "/api/1.0/workflow/oauth2"])
def test_a_segment_longer_than_any_token_is_an_unknown_token_not_an_html_404(
    client: Client, workspace: Workspace, prefix: str
) -> None:
    """ProcessMaker answers 200 for a token it does not know, whatever its length."""
    long = "a" * 300
    expired = client.post(f"{prefix}/{long}/expire")
    deleted = client.delete(f"{prefix}/{long}")
    for response in (expired, deleted):
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert response.json() == {}
