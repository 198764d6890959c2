"""Strict OpenID Connect relying parties sign a person in against a real server, in both error modes.

openid-client (Node, tests/rp/sign_in.mjs) and Authlib (Python) each configure themselves from the
workspace's Discovery document alone, send the person through the login and consent pages (plain
HTTP requests here, as a browser would send them), exchange the code with PKCE, verify the ID token
(signature against the JWKS, iss, aud, exp, iat, nonce, at_hash) and call UserInfo.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.oidc.core import CodeIDToken
from django.test import override_settings

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD, RP_CALLBACK, RP_SIGNED_OUT
from tests.test_metadata import csrf_of
from workspaces.models import ErrorMode, User, Workspace

RP = Path(__file__).parent / "rp"
CALLBACK, BYE = RP_CALLBACK, RP_SIGNED_OUT

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=[ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def issuer(request: pytest.FixtureRequest, live_server: Any, workspace: Workspace) -> Any:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=request.param)
    with override_settings(PM_PUBLIC_URL=live_server.url):
        yield f"{live_server.url}/workflow"


def person_signs_in(authorization_url: str, browser: requests.Session | None = None) -> str:
    """The login and consent pages, as a browser goes through them; the callback URL reached."""
    browser = browser or requests.Session()
    login = browser.get(authorization_url, timeout=10)
    assert "/login/login" in login.url, login.url
    consent = browser.post(
        login.url, {"csrfmiddlewaretoken": csrf_of(login.text), "username": "JohnDoe", "password": PASSWORD},
        headers={"Referer": login.url}, timeout=10,
    )  # fmt: skip
    assert consent.status_code == 200 and "Sign you in and know who you are" in consent.text, consent.text[:500]
    accepted = browser.post(
        consent.url, {"csrfmiddlewaretoken": csrf_of(consent.text), "accept": "Accept"},
        headers={"Referer": consent.url}, allow_redirects=False, timeout=10,
    )  # fmt: skip
    callback = urljoin(consent.url, accepted.headers["Location"])
    assert callback.startswith(CALLBACK + "?"), callback
    return callback


def test_openid_client_signs_in_reads_userinfo_and_signs_out(
    issuer: str, rp: RegisteredClient, operator_user: User
) -> None:
    browser = requests.Session()
    node = subprocess.Popen(  # noqa: S603 - our own script, our own arguments
        ["node", str(RP / "sign_in.mjs"), issuer, rp.application.client_id, rp.client_secret, CALLBACK, BYE],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert node.stdout is not None and node.stdin is not None
        authorization_url = node.stdout.readline().strip()
        assert authorization_url.startswith(f"{issuer}/oauth2/authorize?"), node.stderr.read() if node.stderr else ""
        node.stdin.write(person_signs_in(authorization_url, browser) + "\n")
        node.stdin.flush()
        out, err = node.communicate(timeout=30)
    finally:
        node.kill()
    assert node.returncode == 0, err
    result = json.loads(out)
    assert result["claims"]["sub"] == operator_user.uid and result["claims"]["iss"] == issuer
    assert result["claims"]["amr"] == ["pwd"]
    assert result["userinfo"]["preferred_username"] == "JohnDoe"
    assert result["userinfo"]["email"] == "john@example.com"
    # RP-initiated logout as the library asks for it: the session it signed in with ends, and the
    # browser goes back to the registered return URL with the state.
    assert result["logout"].startswith(f"{issuer}/oauth2/logout?")
    signed_out = browser.get(result["logout"], allow_redirects=False, timeout=10)
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == f"{BYE}?state=bye-state"
    pages = issuer.replace("/workflow", "/sysworkflow/en/neoclassic/oauth2/applications")
    assert "/login/login" in browser.get(pages, timeout=10).url  # the session is gone


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_authlib_signs_in_and_reads_userinfo(
    issuer: str, rp: RegisteredClient, operator_user: User, algorithm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test server speaks plain HTTP on loopback
    rp.application.algorithm = algorithm
    rp.application.save()
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == issuer
    session = OAuth2Session(
        rp.application.client_id, rp.client_secret, scope="openid profile email phone", redirect_uri=CALLBACK,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    )  # fmt: skip
    nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
    callback = person_signs_in(url)
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)

    key_set = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = JsonWebToken([algorithm]).decode(
        token["id_token"], key_set, claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": issuer}},
        claims_params={"nonce": nonce, "client_id": rp.application.client_id, "access_token": token["access_token"]},
    )  # fmt: skip
    claims.validate()  # iss, aud, exp, iat, nonce, at_hash
    assert claims["sub"] == operator_user.uid and "at_hash" in claims
    info = session.get(meta["userinfo_endpoint"], timeout=10).json()
    assert info["sub"] == claims["sub"] and info["email"] == "john@example.com" and "phone_number" not in info
