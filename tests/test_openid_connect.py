"""OpenID Connect: discovery, ID tokens on the code flow and refresh, UserInfo per scope, prompt, hints.

ID tokens are verified with Authlib's JOSE against the workspace's published JWKS, and their claims
validated by Authlib's `CodeIDToken` (iss, aud, exp, iat, nonce, at_hash), as a relying party would.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken
from django.test import Client, override_settings

from oauth_apps.models import Consent, IDToken
from oauth_apps.services import RegisteredClient
from tests.conftest import OIDC_ORIGIN, PASSWORD, RP_CALLBACK
from tests.oauth import bearer, password_grant, post_token, refresh_grant
from workspaces.models import User

PUBLIC = OIDC_ORIGIN
ISSUER = f"{PUBLIC}/workflow"
CALLBACK = RP_CALLBACK
BACKEND = "workspaces.backends.WorkspaceBackend"

pytestmark = pytest.mark.usefixtures("openid_served")


@pytest.fixture
def person(operator_user: User) -> User:
    User.objects.filter(pk=operator_user.pk).update(
        phone="+1 305 555 0100", address="1 Ocean Dr", zip_code="33139", country="US", city="FL",
        time_zone="America/New_York", default_lang="en",
    )  # fmt: skip
    operator_user.refresh_from_db()
    return operator_user


@pytest.fixture
def browser(client: Client, person: User) -> Client:
    client.force_login(person, backend=BACKEND)
    return client


def authorize_url(rp: RegisteredClient, scope: str = "openid profile", **extra: str) -> str:
    query = {"response_type": "code", "client_id": rp.application.client_id, "scope": scope, "state": "s1", **extra}
    return "/workflow/oauth2/authorize?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items() if v)


def code_from(response: Any) -> str:
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(CALLBACK + "?"), location
    return parse_qs(urlsplit(location).query)["code"][0]


def sign_in(browser: Client, rp: RegisteredClient, scope: str = "openid profile", **extra: str) -> dict[str, Any]:
    """Consent, exchange the code; the token response."""
    code = code_from(browser.post(authorize_url(rp, scope, **extra), {"accept": "Accept"}))
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": rp.application.client_id, "client_secret": rp.client_secret}  # fmt: skip
    response = post_token(Client(), body)
    assert response.status_code == 200, response.content
    return response.json()


def jwks(client: Client) -> Any:
    response = client.get("/workflow/oauth2/jwks")
    assert response.status_code == 200
    return JsonWebKey.import_key_set(response.json())


def verified(client: Client, id_token: str, rp: RegisteredClient, nonce: str | None = None, access: str | None = None):
    claims = JsonWebToken(["RS256", "ES256"]).decode(
        id_token, jwks(client), claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": ISSUER}, "aud": {"value": rp.application.client_id}},
        claims_params={"nonce": nonce, "client_id": rp.application.client_id, "access_token": access},
    )  # fmt: skip
    claims.validate()
    return claims


def test_discovery_names_the_issuer_and_true_endpoints(client: Client, workspace: Any) -> None:
    document = client.get("/workflow/.well-known/openid-configuration").json()
    assert document["issuer"] == ISSUER
    assert document["userinfo_endpoint"] == f"{ISSUER}/oauth2/userinfo"
    assert document["jwks_uri"] == f"{ISSUER}/oauth2/jwks"
    assert document["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert document["response_types_supported"] == ["code", "token", "id_token", "id_token token", "code id_token"]
    assert "HS256" not in str(document) and document["claims_parameter_supported"] is False
    assert {"openid", "profile", "email", "phone", "address", "*"} <= set(document["scopes_supported"])
    assert document["end_session_endpoint"] == f"{ISSUER}/oauth2/logout"
    assert document["backchannel_logout_supported"] is True and document["frontchannel_logout_supported"] is False
    for endpoint in (
        "userinfo_endpoint",
        "jwks_uri",
        "authorization_endpoint",
        "token_endpoint",
        "end_session_endpoint",
    ):
        path = urlsplit(document[endpoint]).path
        assert client.options(path).status_code != 404, endpoint


def test_without_a_public_url_there_is_no_openid_connect(client: Client, workspace: Any, rp: RegisteredClient) -> None:
    with override_settings(PM_PUBLIC_URL=""):
        response = client.get("/workflow/.well-known/openid-configuration")
        assert response.status_code == 404
        assert client.get("/workflow/oauth2/jwks").status_code == 404
        client.force_login(User.objects.get(username="admin"), backend=BACKEND)
        answer = client.post(authorize_url(rp), {"accept": "Accept"})
    assert answer.status_code == 400 and b"OpenID Connect is not served here" in answer.content


def test_code_flow_gives_a_verified_id_token_and_userinfo(browser: Client, rp: RegisteredClient, person: User) -> None:
    tokens = sign_in(browser, rp, "openid profile email view_process", nonce="n-0S6_WzA2Mj")
    claims = verified(browser, tokens["id_token"], rp, nonce="n-0S6_WzA2Mj", access=tokens["access_token"])
    assert claims["sub"] == person.uid and claims["amr"] == ["pwd"] and claims["sid"]
    assert abs(claims["exp"] - claims["iat"] - 3600) <= 1
    assert "email" not in claims  # the profile's claims are UserInfo's
    info = Client().get("/workflow/oauth2/userinfo", headers=bearer(tokens["access_token"])).json()
    assert info == {
        "sub": person.uid, "name": "John Doe", "given_name": "John", "family_name": "Doe",
        "preferred_username": "JohnDoe", "locale": "en", "zoneinfo": "America/New_York",
        "updated_at": int(person.updated.timestamp()), "email": "john@example.com",
    }  # fmt: skip
    # The same token reaches the API (view_process) too.
    assert Client().get("/api/1.0/workflow/users", headers=bearer(tokens["access_token"])).status_code != 401


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("openid", set()),
        ("openid email", {"email"}),
        ("openid phone", {"phone_number"}),
        ("openid address", {"address"}),
        ("openid profile", {"name", "given_name", "family_name", "preferred_username", "locale", "zoneinfo",
                            "updated_at"}),
    ],
)  # fmt: skip
def test_userinfo_gives_the_claims_of_each_scope(
    browser: Client, rp: RegisteredClient, scope: str, expected: set[str]
) -> None:
    tokens = sign_in(browser, rp, scope)
    info = Client().post("/workflow/oauth2/userinfo", headers=bearer(tokens["access_token"])).json()
    assert set(info) == {"sub"} | expected
    if "address" in expected:
        assert info["address"] == {"street_address": "1 Ocean Dr", "postal_code": "33139", "region": "FL",
                                   "country": "US"}  # fmt: skip
    assert "email_verified" not in info and "phone_number_verified" not in info


def test_openid_alone_reaches_no_api_and_star_gives_no_userinfo(browser: Client, rp: RegisteredClient) -> None:
    tokens = sign_in(browser, rp, "openid")
    assert Client().get("/api/1.0/workflow/users", headers=bearer(tokens["access_token"])).status_code == 403
    api_only = sign_in(browser, rp, "*")
    assert "id_token" not in api_only
    refused = Client().get("/workflow/oauth2/userinfo", headers=bearer(api_only["access_token"]))
    assert refused.status_code == 403 and 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert Client().get("/workflow/oauth2/userinfo").status_code == 401
    assert Client().get("/workflow/oauth2/userinfo", headers=bearer("nope")).status_code == 401


def test_refresh_repeats_sub_and_auth_time(browser: Client, rp: RegisteredClient) -> None:
    first = sign_in(browser, rp, "openid view_process")
    before = verified(browser, first["id_token"], rp, access=first["access_token"])
    time.sleep(1)
    again = refresh_grant(Client(), rp, first["refresh_token"]).json()
    after = verified(browser, again["id_token"], rp, access=again["access_token"])
    assert (after["sub"], after["auth_time"], after["sid"]) == (before["sub"], before["auth_time"], before["sid"])
    assert after["jti"] != before["jti"] and after["iat"] > before["iat"]


def test_no_id_token_or_identity_scope_on_grants_without_a_sign_in(
    client: Client, rp: RegisteredClient, person: User
) -> None:
    refused = password_grant(client, rp, "JohnDoe", PASSWORD, scope="openid view_process").json()
    assert refused["error"] == "invalid_scope" and "authorization code flow" in refused["error_description"]
    body = {"grant_type": "client_credentials", "scope": "openid", "client_id": rp.application.client_id,
            "client_secret": rp.client_secret}  # fmt: skip
    assert post_token(client, body).json()["error"] == "invalid_scope"
    plain = password_grant(client, rp, "JohnDoe", PASSWORD, scope="view_process").json()
    assert "id_token" not in plain and IDToken.objects.count() == 0


def test_prompt_none_answers_by_redirect_in_every_state(client: Client, rp: RegisteredClient, person: User) -> None:
    def silent() -> dict[str, list[str]]:
        response = client.get(authorize_url(rp, prompt="none"))
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith(CALLBACK + "?")
        return parse_qs(urlsplit(response["Location"]).query)

    assert silent()["error"] == ["login_required"] and silent()["state"] == ["s1"]
    client.force_login(person, backend=BACKEND)
    assert silent()["error"] == ["consent_required"]
    Consent.objects.all().delete()
    rp.application.skip_authorization = True
    rp.application.save()
    assert "code" in silent()  # a first-party client: silent sign-in works
    time.sleep(1.1)
    too_old = parse_qs(urlsplit(client.get(authorize_url(rp, prompt="none", max_age="0")).url).query)
    assert too_old["error"] == ["login_required"]
    mixed = parse_qs(urlsplit(client.get(authorize_url(rp, prompt="none login")).url).query)
    assert mixed["error"] == ["invalid_request"]


def test_prompt_login_and_max_age_go_to_the_login_page_once(browser: Client, rp: RegisteredClient) -> None:
    for extra in ({"prompt": "login"}, {"max_age": "0"}):
        time.sleep(1.1)
        response = browser.get(authorize_url(rp, **extra))
        assert response.status_code == 302 and "/login/login?u=" in response.url
        back = parse_qs(urlsplit(response.url).query)["u"][0]
        assert "prompt" not in back and "max_age" not in back and "client_id" in back
    assert browser.get(authorize_url(rp, max_age="3600")).status_code == 200  # a young sign-in: consent
    assert browser.get(authorize_url(rp, max_age="9" * 5000)).status_code == 200  # past int()'s 4,300 digits
    assert browser.get(authorize_url(rp, max_age="-1")).status_code == 400


def test_id_token_hint_must_be_ours_and_name_the_signed_in_user(
    browser: Client, rp: RegisteredClient, admin: User
) -> None:
    rp.application.skip_authorization = True
    rp.application.save()
    tokens = sign_in(browser, rp)
    assert "code" in browser.get(authorize_url(rp, prompt="none", id_token_hint=tokens["id_token"])).url
    forged = tokens["id_token"][:-4] + ("AAAA" if not tokens["id_token"].endswith("AAAA") else "BBBB")
    answer = parse_qs(urlsplit(browser.get(authorize_url(rp, prompt="none", id_token_hint=forged)).url).query)
    assert answer["error"] == ["invalid_request"]
    browser.force_login(admin, backend=BACKEND)  # someone else signed in now
    answer = parse_qs(
        urlsplit(browser.get(authorize_url(rp, prompt="none", id_token_hint=tokens["id_token"])).url).query
    )
    assert answer["error"] == ["login_required"]


def test_the_consent_page_says_what_each_identity_scope_reveals(browser: Client, rp: RegisteredClient) -> None:
    page = browser.get(authorize_url(rp, "openid email address")).content.decode()
    assert "Sign you in and know who you are" in page and "See your e-mail address" in page
    assert "See your postal address" in page and "See your phone number" not in page


def test_login_hint_fills_in_the_username_and_nothing_more(client: Client, rp: RegisteredClient, person: User) -> None:
    response = client.get(authorize_url(rp, login_hint="JohnDoe"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'value="JohnDoe"' in page
    assert not client.session.get("_auth_user_id")


def test_the_applications_page_holds_the_openid_settings(client: Client, admin: User, rp: RegisteredClient) -> None:
    client.force_login(admin, backend=BACKEND)
    url = f"/sysworkflow/en/neoclassic/oauth2/applications/{rp.application.client_id}/edit"
    form = {"name": "Wiki", "website": "https://rp.example", "redirect_uris": CALLBACK, "algorithm": "ES256",
            "post_logout_redirect_uris": "https://rp.example/bye\nhttps://rp.example/again",
            "backchannel_logout_uri": "https://rp.example/backchannel",
            "skip_authorization": "on"}  # fmt: skip
    assert client.post(url, form).status_code == 302
    rp.application.refresh_from_db()
    assert (
        rp.application.algorithm == "ES256" and rp.application.backchannel_logout_uri == form["backchannel_logout_uri"]
    )
    assert rp.application.post_logout_redirect_uris.split() == ["https://rp.example/bye", "https://rp.example/again"]
    assert rp.application.skip_authorization is False  # first-party is an administrator's call, not the owner's
    refused = client.post(url, {**form, "algorithm": "HS256", "post_logout_redirect_uris": "javascript:alert(1)",
                                "backchannel_logout_uri": "https://a.example/1 https://b.example/2"})  # fmt: skip
    assert refused.status_code == 200 and refused.content.count(b'class="error"') == 3
    assert b"At most 1 URL" in refused.content and "skip_authorization" not in refused.content.decode()


def test_the_admin_says_whether_openid_connect_is_served(operator_client: Client, rp: RegisteredClient) -> None:
    url = f"/admin/oauth_apps/application/{rp.application.pk}/change/"
    assert (
        b"Served: https://id.example.com/workflow/.well-known/openid-configuration" in operator_client.get(url).content
    )
    with override_settings(PM_PUBLIC_URL=""):
        assert b"OpenID Connect is off: set PM_PUBLIC_URL" in operator_client.get(url).content
    with override_settings(PM_ENCRYPTION_KEYS=[]):
        assert b"OpenID Connect is off: set PM_ENCRYPTION_KEYS" in operator_client.get(url).content


def test_the_workspaces_id_token_lifetime_is_the_tokens(browser: Client, rp: RegisteredClient, workspace: Any) -> None:
    type(workspace).objects.filter(pk=workspace.pk).update(id_token_lifetime=600)
    claims = verified(browser, sign_in(browser, rp)["id_token"], rp)
    assert claims["exp"] - claims["iat"] == 600


def test_a_session_from_before_sids_gets_one_and_its_link_too(browser: Client, rp: RegisteredClient) -> None:
    from oauth_apps.models import UserSessionToken  # noqa: PLC0415
    from oauth_apps.websessions import SID_KEY  # noqa: PLC0415

    login = Client()
    assert (
        login.post("/sysworkflow/en/neoclassic/login/login", {"username": "JohnDoe", "password": PASSWORD}).status_code
        == 302
    )
    session = login.session
    del session[SID_KEY]  # as a session logged in before this version kept it
    session.save()
    UserSessionToken.objects.update(sid="")
    claims = verified(login, sign_in(login, rp)["id_token"], rp)
    assert claims["sid"] and UserSessionToken.objects.get(session_key=session.session_key).sid == claims["sid"]


def test_processmaker_requests_see_nothing_new_with_openid_connect_on(browser: Client, rp: RegisteredClient) -> None:
    """Without `openid`, a ProcessMaker-mode code redirect is exactly the seed's `?code=` (its JavaScript
    reads location.search.substr(6)), and OpenID Connect's parameters change nothing."""
    response = browser.post(authorize_url(rp, "*", state="", prompt="none", max_age="0"), {"accept": "Accept"})
    assert re.fullmatch(rf"{re.escape(CALLBACK)}\?code=[0-9a-f]{{40}}", response["Location"])
    assert IDToken.objects.count() == 0
    stranger = Client().get(authorize_url(rp, "*", prompt="none"))  # not signed in: the login page, as before
    assert stranger.status_code == 302 and "/login/login?u=" in stranger.url
