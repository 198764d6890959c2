"""Helpers for token-endpoint tests."""

from __future__ import annotations

import base64
import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from django.test import Client

from oauth_apps.services import RegisteredClient

TOKEN_URL = "/workflow/oauth2/token"
ENCODINGS = ["form", "multipart", "json"]


def basic_auth(client_id: str, client_secret: str) -> str:
    """RFC 6749 2.3.1: each part form-urlencoded, then Basic."""
    raw = f"{quote_plus(client_id)}:{quote_plus(client_secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def post_token(
    client: Client,
    params: dict[str, str],
    *,
    encoding: str = "form",
    url: str = TOKEN_URL,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST the token request the way ProcessMaker clients send it; returns the response."""
    headers = headers or {}
    if encoding == "json":
        return client.post(url, json.dumps(params), content_type="application/json; charset=utf-8", headers=headers)
    if encoding == "multipart":
        return client.post(url, params, headers=headers)  # Django's test client sends multipart
    return client.post(
        url,
        "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in params.items()),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def credentials(app: RegisteredClient, method: str) -> tuple[dict[str, str], dict[str, str]]:
    """(body params, headers) that authenticate `app` by `method` ("body" or "basic")."""
    if method == "basic":
        return {}, {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    return {"client_id": app.application.client_id, "client_secret": app.client_secret}, {}


def password_grant(client: Client, app: RegisteredClient, username: str, password: str, **extra: str) -> Any:
    params = {
        "grant_type": "password",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
        "username": username,
        "password": password,
        **extra,
    }
    return post_token(client, params)


def refresh_grant(client: Client, app: RegisteredClient, refresh_token: str, **extra: str) -> Any:
    params = {
        "grant_type": "refresh_token",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
        "refresh_token": refresh_token,
        **extra,
    }
    return post_token(client, params)


def issue(app: RegisteredClient, user: Any, scope: str = "*") -> str:
    """An access token for `user` (None: a client-credentials token), made by the real service."""
    from oauth_apps.identifiers import new_token
    from oauth_apps.services import issue_tokens

    token = new_token()
    issue_tokens(
        app.application.workspace, client=app.application, user=user, scope=scope,
        access_token=token, refresh_token=None, family=None,
    )  # fmt: skip
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def returned(response: Any) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """An authorization error shown before the user decided: our page (400), never a redirect, with a
    button that takes the error back to the callback; the (query, fragment) parameters that button
    carries."""
    assert response.status_code == 400 and not response.has_header("Location"), response
    found = re.search(r'<a class="button" href="([^"]+)">Return to the application</a>', response.content.decode())
    assert found is not None, response.content.decode()[:2000]
    parts = urlsplit(html.unescape(found.group(1)))
    return parse_qs(parts.query), parse_qs(parts.fragment)
