"""OpenID Connect RP-Initiated Logout 1.0 at /{ws}/oauth2/logout: a matching hint signs out at once,
anything else asks first; only registered post_logout_redirect_uris, with state; problems on a page."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from authlib.jose import JsonWebToken
from django.test import Client
from jwcrypto import jwt

from oauth_apps.models import AccessToken
from oauth_apps.oidc import keys
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD, RP_SIGNED_OUT
from tests.test_openid_connect import CALLBACK, jwks, sign_in
from workspaces.models import User, Workspace

LOGOUT = "/workflow/oauth2/logout"
BYE = RP_SIGNED_OUT

pytestmark = pytest.mark.usefixtures("openid_served", "operator_user")  # JohnDoe signs in


def logged_in() -> Client:
    """A person signed in through the login page (a real session, with its sid and token)."""
    browser = Client()
    response = browser.post("/sysworkflow/en/neoclassic/login/login", {"username": "JohnDoe", "password": PASSWORD})
    assert response.status_code == 302
    return browser


def signed_in(browser: Client) -> bool:
    return "_auth_user_id" in browser.session


def test_a_matching_hint_signs_out_at_once_and_returns_with_state(rp: RegisteredClient, operator_user: User) -> None:
    browser = logged_in()
    id_token = sign_in(browser, rp, "openid")["id_token"]
    session_tokens = AccessToken.objects.filter(user=operator_user, application__is_local=True).count()
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": BYE, "state": "x y"}
    response = browser.get(f"{LOGOUT}?{urlencode(query)}")
    assert response.status_code == 302 and response["Location"] == f"{BYE}?state=x+y"
    assert not signed_in(browser)
    assert AccessToken.objects.filter(user=operator_user, application__is_local=True).count() == session_tokens - 1


def test_without_a_hint_a_page_asks_first(rp: RegisteredClient) -> None:
    browser = logged_in()
    query = {"client_id": rp.application.client_id, "post_logout_redirect_uri": BYE}
    page = browser.get(f"{LOGOUT}?{urlencode(query)}")
    assert page.status_code == 200 and b"Sign out of workspace workflow?" in page.content and signed_in(browser)
    assert page["X-Frame-Options"] == "DENY"
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = browser.cookies
    assert forged.post(LOGOUT, {**query, "confirm": "yes"}).status_code == 403  # no CSRF token: nothing ends
    assert signed_in(browser)
    token = browser.cookies["csrftoken"].value
    confirmed = forged.post(LOGOUT, {**query, "confirm": "yes", "csrfmiddlewaretoken": token})
    assert confirmed.status_code == 302 and confirmed["Location"] == BYE and not signed_in(browser)


def test_a_hint_for_another_session_asks_first(rp: RegisteredClient, operator_user: User) -> None:
    first = logged_in()
    id_token = sign_in(first, rp, "openid")["id_token"]
    second = logged_in()  # the same person, another session
    page = second.get(f"{LOGOUT}?{urlencode({'id_token_hint': id_token})}")
    assert page.status_code == 200 and b"Sign out of workspace" in page.content and signed_in(second)


def test_an_expired_hint_still_counts(rp: RegisteredClient, workspace: Workspace) -> None:
    browser = logged_in()
    claims = JsonWebToken(["RS256"]).decode(sign_in(browser, rp, "openid")["id_token"], jwks(browser))
    key = keys.signing_key(workspace, keys.RS256)  # the workspace's own key: this token is ours, two days old
    old = jwt.JWT(header={"alg": "RS256", "kid": key.kid},
                  claims={**claims, "iat": claims["iat"] - 172800, "exp": claims["exp"] - 172800})  # fmt: skip
    old.make_signed_token(key.jwk())
    response = browser.get(f"{LOGOUT}?{urlencode({'id_token_hint': old.serialize(), 'post_logout_redirect_uri': BYE})}")
    assert response.status_code == 302 and response["Location"] == BYE and not signed_in(browser)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"post_logout_redirect_uri": BYE}, b"needs an id_token_hint or a client_id"),
        ({"client_id": "NOPE", "post_logout_redirect_uri": BYE}, b"does not have"),
        ({"id_token_hint": "a.b.c"}, b"not an ID token this workspace issued"),
    ],
)
def test_problems_are_shown_on_a_page_and_nothing_ends(
    rp: RegisteredClient, query: dict[str, str], message: bytes
) -> None:
    browser = logged_in()
    response = browser.get(f"{LOGOUT}?{urlencode(query)}")
    assert response.status_code == 400 and message in response.content and signed_in(browser)


def test_only_a_registered_return_url_and_only_the_hints_client(rp: RegisteredClient, admin: User) -> None:
    browser = logged_in()
    id_token = sign_in(browser, rp, "openid")["id_token"]
    other = register_application(admin.workspace, admin, name="Other", website="https://o.example", callback=CALLBACK)
    for query, message in (
        ({"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example/"}, b"not one the application"),
        ({"id_token_hint": id_token, "client_id": other.application.client_id}, b"not the application"),
    ):
        response = browser.get(f"{LOGOUT}?{urlencode(query)}")
        assert response.status_code == 400 and message in response.content and signed_in(browser)


def test_nobody_signed_in_goes_straight_back(rp: RegisteredClient) -> None:
    response = Client().get(
        f"{LOGOUT}?{urlencode({'client_id': rp.application.client_id, 'post_logout_redirect_uri': BYE})}"
    )
    assert response.status_code == 302 and response["Location"] == BYE
    assert b"signed out" in Client().get(LOGOUT).content


def test_another_workspaces_logout_ends_nothing_here(rp: RegisteredClient, other_workspace: Workspace) -> None:
    browser = logged_in()
    page = browser.get("/other/oauth2/logout")
    assert page.status_code == 200 and b"You are signed out" in page.content  # nobody of theirs signed in
    assert signed_in(browser)  # the session in workflow goes on
    hint = sign_in(browser, rp, "openid")["id_token"]  # workflow's ID token is no hint there
    refused = browser.get(f"/other/oauth2/logout?{urlencode({'id_token_hint': hint})}")
    assert refused.status_code == 400 and signed_in(browser)


def test_a_hint_without_a_sid_never_matches_a_session_without_one(
    rp: RegisteredClient, operator_user: User, workspace: Workspace
) -> None:
    """A session from before sids has none, and an ID token may lack one: "none" equal to "none" is no
    proof that the hint names this session, so the page asks."""
    from tests.test_openid_connect import BACKEND

    browser = Client()
    browser.force_login(operator_user, backend=BACKEND)  # no sid in this session
    key = keys.signing_key(workspace, keys.RS256)
    hint = jwt.JWT(header={"alg": "RS256", "kid": key.kid}, claims={
        "iss": "https://id.example.com/workflow", "sub": operator_user.uid, "aud": rp.application.client_id,
        "iat": 1_700_000_000, "exp": 1_700_003_600,
    })  # fmt: skip
    hint.make_signed_token(key.jwk())
    page = browser.get(f"{LOGOUT}?{urlencode({'id_token_hint': hint.serialize()})}")
    assert page.status_code == 200 and b"Sign out of workspace" in page.content and signed_in(browser)
