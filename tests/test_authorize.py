"""The authorize endpoint and the code exchange, driven with Django's test client.

The same flows in a real browser are in tests/test_browser_flows.py.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import update_user
from oauth_apps.models import AccessToken, Grant
from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import basic_auth, post_token, returned
from workspaces.models import User

CALLBACK = "https://client.example/cb"
BACKEND = "workspaces.backends.WorkspaceBackend"


@pytest.fixture
def web_app(admin: User) -> RegisteredClient:
    return register_application(
        admin.workspace, admin, name="Web <App>", website="https://client.example", callback=CALLBACK,
        description="Builds monthly reports.",
    )  # fmt: skip


@pytest.fixture
def logged_in(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user, backend=BACKEND)
    return client


def authorize_url(app: RegisteredClient, **params: str) -> str:
    query = {"response_type": "code", "client_id": app.application.client_id, "scope": "*", **params}
    return "/workflow/oauth2/authorize?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())


def accept(client: Client, url: str) -> dict[str, list[str]]:
    response = client.post(url, {"accept": "Accept"})
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(CALLBACK)
    return parse_qs(urlsplit(location).query)


def exchange(client: Client, app: RegisteredClient, code: str, **extra: str) -> dict[str, str]:
    params = {"grant_type": "authorization_code", "code": code, **extra}
    headers = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    return dict(post_token(client, params, headers=headers).json())


# --- Error pages: no redirect anywhere ---------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("response_type=code", "Invalid request. The &#x27;client_id&#x27; parameter is missing!"),
        ("client_id=ABC", "Invalid request. The &#x27;response_type&#x27; parameter is missing!"),
        ("response_type=code&client_id=NOPE",
         "Error, unknown client. The client with id &#x27;NOPE&#x27; is not registered"),
    ],
)  # fmt: skip
def test_processmaker_error_pages(logged_in: Client, web_app: RegisteredClient, query: str, message: str) -> None:
    response = logged_in.get(f"/workflow/oauth2/authorize?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Location" not in response


def test_a_client_without_a_callback_gets_an_error_page(logged_in: Client, app: RegisteredClient) -> None:
    response = logged_in.get(authorize_url(app))
    assert response.status_code == 400 and b"This application has no callback URL registered" in response.content


@pytest.mark.parametrize(
    "redirect_uri",
    ["https://evil.example/cb", "https://client.example/cb/../evil", "https://client.example/cb?x=1", "//evil.example"],
)
def test_a_redirect_uri_other_than_the_callback_is_refused_without_redirecting(
    logged_in: Client, web_app: RegisteredClient, redirect_uri: str
) -> None:
    response = logged_in.get(authorize_url(web_app, redirect_uri=redirect_uri))
    assert response.status_code == 400 and "Location" not in response
    assert b"The redirect_uri does not match the callback URL registered for this application." in response.content


def test_a_client_of_another_workspace_is_unknown(logged_in: Client, foreign_app: RegisteredClient) -> None:
    assert logged_in.get(authorize_url(foreign_app)).status_code == 400


# --- Login and consent ----------------------------------------------------------------------


def test_without_a_session_it_sends_the_user_to_login_and_back(
    client: Client, web_app: RegisteredClient, operator_user: User
) -> None:
    url = authorize_url(web_app, state="s1")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sysworkflow/en/neoclassic/login/login?u={quote(url, safe='')}"
    login = client.post(response["Location"], {"username": "johndoe", "password": "correct horse battery"})
    assert login.status_code == 302 and login["Location"] == url


def test_a_session_of_another_workspace_counts_as_none(
    client: Client, web_app: RegisteredClient, stranger: User
) -> None:
    client.force_login(stranger, backend=BACKEND)
    assert client.get(authorize_url(web_app))["Location"].startswith("/sysworkflow/en/neoclassic/login/login")


def test_the_consent_page_names_the_user_the_application_and_the_scopes(
    logged_in: Client, web_app: RegisteredClient
) -> None:
    response = logged_in.get(authorize_url(web_app, scope="view_process edit_processes"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Allow Web &lt;App&gt; to use your account?</h1>" in page  # a sentence, not ProcessMaker's "name,"
    assert "as <b>John Doe</b> (JohnDoe)." in page and "Not you?" in page
    assert 'action="/sysworkflow/en/neoclassic/login/logout"' in page
    assert "Builds monthly reports." in page
    assert "Read your processes" in page and "Create, change and delete" in page
    assert re.search(r'<button type="submit" name="cancel" value="Deny"[^>]*>Deny</button>', page)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_consent_needs_the_csrf_token(client: Client, web_app: RegisteredClient, operator_user: User) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(operator_user, backend=BACKEND)
    assert csrf_client.post(authorize_url(web_app), {"accept": "Accept"}).status_code == 403


def test_an_unknown_scope_is_a_page_whose_button_takes_the_error_back(
    logged_in: Client, web_app: RegisteredClient
) -> None:
    """RFC 9700 4.17: no automatic redirect to a callback before the user has decided."""
    response = logged_in.get(authorize_url(web_app, scope="everything", state="s2"))
    query, fragment = returned(response)
    assert query == {"error": ["invalid_scope"], "error_description": ["An unsupported scope was requested"],
                     "state": ["s2"]}  # fmt: skip
    assert fragment == {} and b"An unsupported scope was requested" in response.content


# --- Accept, deny, implicit ---------------------------------------------------------------


def test_accept_redirects_with_a_code_and_state(logged_in: Client, web_app: RegisteredClient) -> None:
    query = accept(logged_in, authorize_url(web_app, state="xyz"))
    assert re.fullmatch(r"[0-9a-f]{40}", query["code"][0]) and query["state"] == ["xyz"]
    grant = Grant.objects.presented(query["code"][0]).get()
    assert grant.client_id == web_app.application.client_id and grant.scope == "*"
    assert grant.code != query["code"][0]  # only its hash is stored


def test_deny_redirects_with_processmakers_error(logged_in: Client, web_app: RegisteredClient) -> None:
    response = logged_in.post(authorize_url(web_app, state="abc"), {"cancel": "Deny"})
    assert response["Location"] == (
        f"{CALLBACK}?error=access_denied&error_description=The+user+denied+access+to+your+application&state=abc"
    )
    assert not Grant.objects.exists()


def test_implicit_grant_puts_the_token_in_the_fragment(logged_in: Client, web_app: RegisteredClient) -> None:
    response = logged_in.post(authorize_url(web_app, response_type="token", state="st"), {"accept": "Accept"})
    location = response["Location"]
    assert location.startswith(CALLBACK + "#access_token=")
    fragment = parse_qs(urlsplit(location).fragment)
    assert list(fragment) == ["access_token", "expires_in", "token_type", "scope", "state"]
    assert fragment["token_type"] == ["bearer"] and fragment["expires_in"] == ["86400"] and fragment["state"] == ["st"]
    assert "refresh_token" not in location
    token = AccessToken.objects.get(token=fragment["access_token"][0])
    assert token.user.username == "JohnDoe"


# --- Code exchange ---------------------------------------------------------------------------


def test_the_code_exchange_gives_access_and_refresh_tokens(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    data = exchange(Client(), web_app, code)
    assert list(data) == ["access_token", "expires_in", "token_type", "scope", "refresh_token"]
    assert AccessToken.objects.get(token=data["access_token"]).user.username == "JohnDoe"


def test_the_code_exchange_accepts_credentials_in_the_body(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": web_app.application.client_id,
        "client_secret": web_app.client_secret,
    }
    assert "access_token" in post_token(Client(), params).json()


def test_a_code_works_once_and_its_replay_revokes_what_it_gave(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    first = exchange(Client(), web_app, code)
    assert exchange(Client(), web_app, code) == {
        "error": "invalid_grant",
        "error_description": "Authorization code doesn't exist or is invalid for the client",
    }
    assert not AccessToken.objects.filter(token=first["access_token"]).exists()
    refreshed = post_token(Client(), {
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"],
        "client_id": web_app.application.client_id, "client_secret": web_app.client_secret,
    }).json()  # fmt: skip
    assert refreshed["error"] == "invalid_grant"


def test_an_expired_code_says_so(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    Grant.objects.presented(code).update(expires=timezone.now() - timedelta(seconds=1))
    assert exchange(Client(), web_app, code) == {
        "error": "invalid_grant",
        "error_description": "The authorization code has expired",
    }


def test_codes_live_for_the_workspace_lifetime(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    remaining = Grant.objects.presented(code).get().expires - timezone.now()
    assert timedelta(seconds=25) < remaining <= timedelta(seconds=30)


def test_another_clients_code_is_refused(logged_in: Client, web_app: RegisteredClient, app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    assert exchange(Client(), app, code)["error"] == "invalid_grant"


def test_redirect_uri_must_match_when_it_was_sent(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app, redirect_uri=CALLBACK))["code"][0]
    assert exchange(Client(), web_app, code, redirect_uri="https://client.example/other") == {
        "error": "redirect_uri_mismatch",
        "error_description": "The redirect URI is missing or do not match",
    }
    assert "access_token" in exchange(Client(), web_app, code, redirect_uri=CALLBACK)


# --- PKCE (RFC 7636) ----------------------------------------------------------------------------

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
S256 = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.mark.parametrize(("method", "challenge"), [("S256", S256), ("plain", VERIFIER)])
def test_pkce_checks_the_verifier(logged_in: Client, web_app: RegisteredClient, method: str, challenge: str) -> None:
    url = authorize_url(web_app, code_challenge=challenge, code_challenge_method=method)
    code = accept(logged_in, url)["code"][0]
    assert exchange(Client(), web_app, code, code_verifier="x" * 43) == {
        "error": "invalid_grant", "error_description": "The code_verifier does not match the code_challenge"
    }  # fmt: skip
    assert "access_token" in exchange(Client(), web_app, code, code_verifier=VERIFIER)


def test_pkce_without_a_verifier_fails(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app, code_challenge=S256, code_challenge_method="S256"))["code"][0]
    assert exchange(Client(), web_app, code)["error"] == "invalid_request"


def test_a_verifier_for_a_code_issued_without_a_challenge_fails(logged_in: Client, web_app: RegisteredClient) -> None:
    code = accept(logged_in, authorize_url(web_app))["code"][0]
    assert exchange(Client(), web_app, code, code_verifier=VERIFIER)["error"] == "invalid_grant"


def test_a_public_client_must_use_pkce(logged_in: Client, public_app: RegisteredClient) -> None:
    response = logged_in.get(authorize_url(public_app))
    assert returned(response)[0]["error"] == ["invalid_request"]
    query = accept(logged_in, authorize_url(public_app, code_challenge=S256, code_challenge_method="S256"))
    params = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "client_id": public_app.application.client_id,
        "code_verifier": VERIFIER,
    }
    assert "access_token" in post_token(Client(), params).json()


# --- A password change ends the codes approved before it ------------------------------

NEW_PASSWORD = "a brand new password"


def test_a_code_from_before_a_password_reset_is_refused(
    logged_in: Client, web_app: RegisteredClient, operator_user: User, admin: User
) -> None:
    before = accept(logged_in, authorize_url(web_app))["code"][0]
    update_user(User.objects.get(pk=operator_user.pk), {}, password=NEW_PASSWORD, by=admin)
    assert exchange(Client(), web_app, before) == {
        "error": "invalid_grant", "error_description": "Authorization code doesn't exist or is invalid for the client",
    }  # fmt: skip
    assert not AccessToken.objects.filter(user=operator_user).exists()


def test_a_code_from_after_it_works(
    client: Client, web_app: RegisteredClient, operator_user: User, admin: User
) -> None:
    update_user(operator_user, {}, password=NEW_PASSWORD, by=admin)
    client.force_login(User.objects.get(pk=operator_user.pk), backend="workspaces.backends.WorkspaceBackend")
    after = accept(client, authorize_url(web_app))["code"][0]
    assert exchange(Client(), web_app, after)["token_type"] == "bearer"


def test_the_consent_pages_title_holds_its_title_alone(logged_in: Client, web_app: RegisteredClient) -> None:
    page = logged_in.get(authorize_url(web_app)).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None and title.group(1).strip() == "Authorize Web &lt;App&gt;"  # no form, no CSRF token
