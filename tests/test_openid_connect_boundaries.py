"""OpenID Connect's entry points against strangers, other workspaces and hostile input: a clear 4xx or
an error sent back to the client, never a 500, never another workspace's data."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from accounts.services import provision_workspace
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import bearer
from tests.test_openid_connect import BACKEND, CALLBACK, authorize_url, sign_in
from workspaces.models import User

pytestmark = pytest.mark.usefixtures("openid_served")


@pytest.fixture
def their_rp(stranger: User) -> RegisteredClient:
    return register_application(
        stranger.workspace, stranger, name="Theirs", website="https://t.example", callback=CALLBACK
    )


def answer_of(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(CALLBACK), response.status_code
    return parse_qs(urlsplit(response["Location"]).query)


def first_party(rp: RegisteredClient) -> None:
    """No consent asked, so `prompt=none` reaches the hint (oauthlib checks consent first)."""
    rp.application.skip_authorization = True
    rp.application.save()


def segment(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


HOSTILE_HINTS = [
    "x", "a.b.c", "..", "e30.e30.", "." * 5000, "\x00", segment({"alg": "none"}) + "." + segment({"sub": "x"}) + ".",
    segment({"alg": "RS256", "kid": ["list"]}) + "." + segment([1]) + ".AAAA",
    segment({"alg": "HS256", "kid": "k"}) + "." + segment({"sub": "x"}) + ".AAAA",
]  # fmt: skip


@pytest.mark.parametrize("hint", HOSTILE_HINTS)
def test_a_hostile_id_token_hint_is_an_invalid_request(browser: Client, rp: RegisteredClient, hint: str) -> None:
    first_party(rp)
    assert answer_of(browser, authorize_url(rp, prompt="none", id_token_hint=hint))["error"] == ["invalid_request"]


def test_another_workspaces_id_token_is_no_hint_here(
    browser: Client,
    rp: RegisteredClient,
    their_rp: RegisteredClient,
    stranger: User,
) -> None:
    theirs = Client()
    theirs.force_login(stranger, backend=BACKEND)
    code = parse_qs(urlsplit(theirs.post(authorize_url(their_rp).replace("/workflow/", "/other/"),
                                         {"accept": "Accept"})["Location"]).query)["code"][0]  # fmt: skip
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "client_id": their_rp.application.client_id, "client_secret": their_rp.client_secret}  # fmt: skip
    their_id_token = Client().post("/other/oauth2/token", body).json()["id_token"]
    first_party(rp)
    answer = answer_of(browser, authorize_url(rp, prompt="none", id_token_hint=their_id_token))
    assert answer["error"] == ["invalid_request"]


def test_userinfo_refuses_another_workspaces_token(
    browser: Client,
    rp: RegisteredClient,
    stranger: User,
    their_rp: RegisteredClient,
) -> None:
    mine = sign_in(browser, rp, "openid email")["access_token"]
    assert Client().get("/other/oauth2/userinfo", headers=bearer(mine)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer  ", "Basic abc", "Bearer " + "a" * 5000, "Bearer a b", "bearer \x00", "Bearer é"]
)
def test_userinfo_answers_malformed_credentials_with_401(client: Client, workspace: Any, header: str) -> None:
    response = Client(raise_request_exception=False).get("/workflow/oauth2/userinfo", headers={"Authorization": header})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_userinfo_takes_no_other_method(client: Client, workspace: Any) -> None:
    assert client.put("/workflow/oauth2/userinfo").status_code == 405
    assert client.post("/workflow/oauth2/jwks").status_code == 405
    assert client.post("/workflow/.well-known/openid-configuration").status_code == 405


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"max_age": "1e3"}, "invalid_request"),
        ({"max_age": "٣"}, "invalid_request"),  # a digit, but not an ASCII one
        ({"nonce": "n" * 256}, "invalid_request"),
        ({"prompt": "none consent"}, "invalid_request"),
    ],
)
def test_malformed_sign_in_parameters_are_sent_back(
    browser: Client,
    rp: RegisteredClient,
    extra: dict[str, str],
    error: str,
) -> None:
    silent = extra.get("prompt", "").startswith("none")
    response = browser.get(authorize_url(rp, **extra))
    if silent:
        assert parse_qs(urlsplit(response["Location"]).query)["error"] == [error]
    else:  # an error before the user decided: our page, whose button sends it back
        assert response.status_code == 400 and error.encode() in response.content


def test_a_long_nonce_within_the_limit_comes_back_in_the_id_token(browser: Client, rp: RegisteredClient) -> None:
    nonce = "n" * 255
    id_token = sign_in(browser, rp, nonce=nonce)["id_token"]
    payload = id_token.split(".")[1]
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["nonce"] == nonce


def test_a_workspace_named_sys_and_anothers_name_gets_nothing_of_it(browser: Client, rp: RegisteredClient) -> None:
    provision_workspace("sysworkflow", "admin", PASSWORD)
    tokens = sign_in(browser, rp, "openid email")
    document = browser.get("/sysworkflow/.well-known/openid-configuration").json()
    assert document["issuer"] == "https://id.example.com/sysworkflow"
    theirs = {key["kid"] for key in browser.get("/sysworkflow/oauth2/jwks").json()["keys"]}
    ours = {key["kid"] for key in browser.get("/workflow/oauth2/jwks").json()["keys"]}
    assert theirs and not theirs & ours
    assert Client().get("/sysworkflow/oauth2/userinfo", headers=bearer(tokens["access_token"])).status_code == 401
    refused = browser.get(f"/sysworkflow/oauth2/logout?{urlencode({'id_token_hint': tokens['id_token']})}")
    assert refused.status_code == 400
    assert browser.get("/sysworkflow/oauth2/logout").status_code == 200  # nobody of theirs to sign out
    assert "_auth_user_id" in browser.session  # the session in workflow goes on


HOSTILE_BODIES = [b"", b"\xff\xfe", b"x" * 200000, b"id_token_hint=" + b"a" * 100000, b"confirm=yes&state=\x00"]


@pytest.mark.parametrize("path", ["/workflow/oauth2/userinfo", "/workflow/oauth2/logout"])
@pytest.mark.parametrize(
    "ctype", ["application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x"]
)
def test_hostile_bodies_get_a_clear_answer(browser: Client, path: str, ctype: str) -> None:
    for body in HOSTILE_BODIES:
        response = Client(raise_request_exception=False).post(path, body, content_type=ctype)
        assert response.status_code < 500, (path, body[:20], response.status_code)
        signed = browser.post(path, body, content_type=ctype)
        assert signed.status_code < 500, (path, body[:20], signed.status_code)
