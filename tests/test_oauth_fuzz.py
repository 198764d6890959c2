"""Property tests of the token, revoke and authorize endpoints: whatever arrives (form, JSON or
multipart bodies, odd headers, any method), never a 5xx, and never a token without the secret.

`make fuzz` runs many more examples (FUZZ_EXAMPLES)."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauth_apps.services import RegisteredClient
from workspaces.models import User

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = ["grant_type", "client_id", "client_secret", "username", "password", "scope", "code", "refresh_token",
          "redirect_uri", "code_verifier", "token", "token_type_hint", "state", "response_type"]  # fmt: skip
GRANTS = ["password", "client_credentials", "refresh_token", "authorization_code", "implicit", "", "PASSWORD"]
# Surrogates included (Hypothesis leaves them out by default): a lone one broke these endpoints once.
any_character = st.characters(exclude_categories=())
text = st.one_of(
    st.text(max_size=80), st.text(any_character, max_size=8), st.sampled_from(GRANTS), st.just("*"), st.just("johndoe")
)
values = st.one_of(
    text, st.integers(), st.booleans(), st.none(), st.lists(text, max_size=3), st.dictionaries(text, text, max_size=2)
)
bodies = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=20)), values, max_size=8)
encodings = st.sampled_from(["form", "json", "multipart", "raw", "deep"])
# POST, what these endpoints take, most of the time; the others now and then.
methods = st.sampled_from(["post"] * 6 + ["get", "put", "delete", "patch", "options", "head"])
headers = st.dictionaries(
    st.sampled_from(["Authorization", "Content-Type", "Accept", "X-Forwarded-For", "Origin"]),
    st.one_of(st.text(max_size=60), st.sampled_from(["Basic", "Basic Og==", "bearer x", "application/json"])),
    max_size=3,
)


def send(client: Client, method: str, path: str, body: dict[str, Any], encoding: str, extra: dict[str, str]) -> Any:
    """The request as a client would send it: `body` encoded as a form, JSON, multipart or garbage."""
    call = getattr(client, method)
    clean = {key: value for key, value in extra.items() if "\n" not in value and "\r" not in value}
    if method in ("get", "head"):
        return call(path, headers=clean)
    flat = {str(key): str(value) for key, value in body.items()}
    form = "application/x-www-form-urlencoded"
    if encoding == "json":  # json.dumps escapes a lone surrogate as \\udXXX, as JavaScript would
        return call(path, json.dumps(body), content_type="application/json", headers=clean)
    if encoding == "deep":  # nested past Python's recursion limit, once that broke these too
        depth = 1100 + len(body) * 50
        return call(path, b'{"grant_type":' + b"[" * depth + b"]" * depth + b"}", content_type="application/json")
    if encoding == "raw":
        return call(path, json.dumps(body).encode()[::-1], content_type=form, headers=clean)
    if encoding == "multipart" and method == "post":
        raw = {key.encode("utf-8", "surrogatepass").decode("utf-8", "replace"): value.encode("utf-8", "surrogatepass")
               for key, value in flat.items()}  # fmt: skip
        return call(path, raw, headers=clean)
    return call(path, as_query(flat), content_type=form, headers=clean)


def as_query(values: dict[Any, Any]) -> str:
    """Percent-encoded as a client would send it; a lone surrogate goes as its (invalid) UTF-8 bytes."""
    return urlencode({str(key): str(value) for key, value in values.items()}, errors="surrogatepass")


def test_the_token_and_revoke_endpoints_never_fail_and_never_hand_out_a_token_without_the_secret(
    app: RegisteredClient, operator_user: User
) -> None:
    client = Client(raise_request_exception=False)

    @FUZZ
    @given(
        method=methods,
        path=st.sampled_from(["token", "revoke"]),
        body=bodies,
        encoding=encodings,
        extra=headers,
        client_id=st.one_of(st.just(app.application.client_id), st.text(any_character, max_size=4), st.none()),
    )
    def check(
        method: str, path: str, body: dict[str, Any], encoding: str, extra: dict[str, str], client_id: str | None
    ) -> None:
        if client_id is not None:
            body["client_id"] = client_id  # the real one reaches past the client lookup
        body.pop("client_secret", None) if body.get("client_secret") == app.client_secret else None
        response = send(client, method, f"/workflow/oauth2/{path}", body, encoding, extra)
        assert response.status_code < 500, response.content[:300]
        assert b"access_token" not in response.content

    check()


def test_the_authorize_endpoint_never_fails(app: RegisteredClient, operator_user: User) -> None:
    anonymous = Client(raise_request_exception=False)
    logged_in = Client(raise_request_exception=False)
    logged_in.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    app.application.redirect_uris = "https://client.example/cb"
    app.application.save()

    @FUZZ
    @given(method=st.sampled_from(["get", "post", "put", "head"]), query=bodies, body=bodies, extra=headers,
           real_id=st.booleans(), signed_in=st.booleans())  # fmt: skip
    def check(method: str, query: dict[str, Any], body: dict[str, Any], extra: dict[str, str], real_id: bool,
              signed_in: bool) -> None:  # fmt: skip
        if real_id:
            query["client_id"] = app.application.client_id
        params = as_query(query)
        client = logged_in if signed_in else anonymous
        response = send(client, method, f"/workflow/oauth2/authorize?{params}", body, "form", extra)
        assert response.status_code < 500, response.content[:300]

    check()


@pytest.mark.parametrize("path", ["/workflow/oauth2/token", "/workflow/oauth2/revoke", "/workflow/oauth2/authorize"])
def test_the_fuzzers_reach_the_endpoints(client: Client, app: RegisteredClient, path: str) -> None:
    """A sanity check that the paths above are real (a 404 everywhere would make the fuzz vacuous)."""
    assert client.post(path, {"grant_type": "password"}).status_code != 404
