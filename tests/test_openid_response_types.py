"""OpenID Connect's response types beyond `code`: `id_token`, `id_token token` and `code id_token`, for
confidential clients, a nonce required, `at_hash` and `c_hash` checked by Authlib's validators."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.jose import JsonWebToken
from authlib.oidc.core import HybridIDToken, ImplicitIDToken
from django.test import Client

from oauth_apps.services import RegisteredClient, register_application
from tests.test_openid_connect import CALLBACK, ISSUER, authorize_url, jwks
from workspaces.models import User

pytestmark = pytest.mark.usefixtures("openid_served")


def fragment(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content[:300]
    parts = urlsplit(response["Location"])
    assert parts.query == "" and response["Location"].startswith(CALLBACK + "#")
    return {name: values[0] for name, values in parse_qs(parts.fragment).items()}


def validated(client: Client, claims_cls: type, answer: dict[str, str], rp: RegisteredClient, nonce: str) -> Any:
    params = {"nonce": nonce, "client_id": rp.application.client_id, "access_token": answer.get("access_token"),
              "code": answer.get("code")}  # fmt: skip
    claims = JsonWebToken(["RS256"]).decode(
        answer["id_token"], jwks(client), claims_cls=claims_cls, claims_params=params,
        claims_options={"iss": {"essential": True, "value": ISSUER}},
    )  # fmt: skip
    claims.validate()
    return claims


def test_id_token_alone(browser: Client, rp: RegisteredClient, operator_user: User) -> None:
    answer = fragment(browser.post(authorize_url(rp, "openid", response_type="id_token", nonce="n1"),
                                   {"accept": "Accept"}))  # fmt: skip
    assert set(answer) == {"id_token", "state"}
    claims = validated(browser, ImplicitIDToken, answer, rp, "n1")
    assert claims["sub"] == operator_user.uid and "at_hash" not in claims


def test_id_token_token_has_at_hash(browser: Client, rp: RegisteredClient) -> None:
    answer = fragment(browser.post(authorize_url(rp, "openid email", response_type="id_token token", nonce="n2"),
                                   {"accept": "Accept"}))  # fmt: skip
    assert {"id_token", "access_token", "state"} <= set(answer)
    claims = validated(browser, ImplicitIDToken, answer, rp, "n2")
    assert "at_hash" in claims
    info = Client().get("/workflow/oauth2/userinfo", headers={"Authorization": f"Bearer {answer['access_token']}"})
    assert info.json()["email"] == "john@example.com"


def test_code_id_token_has_c_hash_and_the_code_works(browser: Client, rp: RegisteredClient) -> None:
    answer = fragment(browser.post(authorize_url(rp, "openid", response_type="code id_token", nonce="n3"),
                                   {"accept": "Accept"}))  # fmt: skip
    claims = validated(browser, HybridIDToken, answer, rp, "n3")
    assert "c_hash" in claims
    body = {"grant_type": "authorization_code", "code": answer["code"], "redirect_uri": CALLBACK,
            "client_id": rp.application.client_id, "client_secret": rp.client_secret}  # fmt: skip
    exchanged = Client().post("/workflow/oauth2/token", body).json()
    assert JsonWebToken(["RS256"]).decode(exchanged["id_token"], jwks(browser))["sub"] == claims["sub"]


@pytest.mark.parametrize("response_type", ["id_token", "id_token token", "code id_token"])
def test_a_nonce_is_required(browser: Client, rp: RegisteredClient, response_type: str) -> None:
    response = browser.get(authorize_url(rp, "openid", response_type=response_type))
    assert response.status_code == 400 and b"nonce" in response.content


@pytest.mark.parametrize("response_type", ["id_token", "id_token token", "code id_token"])
def test_public_clients_and_requests_without_openid_are_refused(
    browser: Client, admin: User, rp: RegisteredClient, response_type: str
) -> None:
    public = register_application(admin.workspace, admin, name="SPA", website="https://s.example", callback=CALLBACK,
                                  public=True)  # fmt: skip
    refused = browser.get(authorize_url(public, "openid", response_type=response_type, nonce="n"))
    assert refused.status_code == 400
    no_openid = browser.get(authorize_url(rp, "view_process", response_type=response_type, nonce="n"))
    assert no_openid.status_code == 400 and b"needs the openid scope" in no_openid.content


def test_no_token_in_a_query_string(browser: Client, rp: RegisteredClient) -> None:
    response = browser.get(authorize_url(rp, "openid", response_type="code id_token", nonce="n", response_mode="query"))
    assert response.status_code == 400 and b"never sent in a query string" in response.content
