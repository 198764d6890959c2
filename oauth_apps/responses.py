"""Token-endpoint responses in ProcessMaker's shape."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.http import HttpResponse, JsonResponse
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from plumbing.metrics import TOKEN_ERRORS
from workspaces.models import ErrorMode, Workspace

R = TypeVar("R", bound=HttpResponse)
SUCCESS_KEYS = ("access_token", "expires_in", "token_type", "scope", "refresh_token", "id_token")
# RFC 6749 5.2, 7009, 8628 3.5: the error codes a metric label may hold.
KNOWN_ERRORS = frozenset(
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
        "invalid_scope", "unsupported_token_type", "authorization_pending", "slow_down", "access_denied",
        "expired_token", "temporarily_unavailable", "server_error",
    }
)  # fmt: skip


def no_store(response: R) -> R:
    # RFC 6749 5.1: responses with tokens or credentials must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def processmaker_token(token: dict[str, Any], *_: Any) -> dict[str, Any]:
    """An oauthlib token modifier (`oauth_apps.server`): ProcessMaker's success body, lower-case
    "bearer", its key order, nothing else. oauthlib then writes it as the response body itself."""
    token["token_type"] = "bearer"
    return {key: token[key] for key in SUCCESS_KEYS if key in token}


def token_success(body: str, *, shaped: bool = True) -> HttpResponse:
    """The token endpoint's success: the body oauthlib wrote, in ProcessMaker's shape already when
    `shaped` (oauthlib's device grant alone applies no token modifiers)."""
    if not shaped:
        body = json.dumps(processmaker_token(json.loads(body)))
    return no_store(HttpResponse(body, content_type="application/json"))


def token_error(workspace: Workspace, error: str, description: str, status: int, *, rfc: bool = False) -> JsonResponse:
    """An error body; HTTP 200 in ProcessMaker's error mode, the RFC 6749 status otherwise, or when
    `rfc` says so (a grant ProcessMaker has not, whose clients know only the RFC's statuses)."""
    # RFC 6749 5.2: error_description is OPTIONAL; an empty one is left out rather than sent empty.
    payload = {"error": error, "error_description": description} if description else {"error": error}
    TOKEN_ERRORS.labels(workspace.name, error if error in KNOWN_ERRORS else "other").inc()
    if workspace.error_mode == ErrorMode.PROCESSMAKER and not rfc:
        return no_store(JsonResponse(payload, status=200))
    response = no_store(JsonResponse(payload, status=status))
    if status == 401:
        response["WWW-Authenticate"] = client_challenge(workspace)
    return response


def client_challenge(workspace: Workspace) -> str:
    """RFC 6749 5.2: a client that failed to authenticate is told the scheme clients use here
    (oauthlib would say Bearer, which is the resource server's)."""
    return f'Basic realm="{workspace.name}"'


def token_error_from_oauthlib(workspace: Workspace, body: str, status: int, *, rfc: bool = False) -> JsonResponse:
    data = json.loads(body)
    error, description = data.get("error", "invalid_request"), data.get("error_description", "")
    return token_error(workspace, error, description, status, rfc=rfc)


def token_error_from(workspace: Workspace, error: OAuth2Error) -> JsonResponse:
    return token_error(workspace, error.error, error.description, error.status_code)
