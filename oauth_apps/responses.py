"""Token-endpoint responses in ProcessMaker's shape."""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.http import JsonResponse
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from workspaces.metrics import TOKEN_ERRORS
from workspaces.models import ErrorMode, Workspace

SUCCESS_KEYS = ("access_token", "expires_in", "token_type", "scope", "refresh_token")
# RFC 6749 5.2, 7009, 8628 3.5: the error codes a metric label may hold.
KNOWN_ERRORS = frozenset(
    {
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type",
        "invalid_scope", "unsupported_token_type", "authorization_pending", "slow_down", "access_denied",
        "expired_token", "temporarily_unavailable", "server_error",
    }
)  # fmt: skip


def no_store(response: JsonResponse) -> JsonResponse:
    # RFC 6749 5.1: responses with tokens or credentials must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def token_success(body: str) -> JsonResponse:
    """ProcessMaker's success body: lower-case "bearer", its key order, nothing else."""
    token = json.loads(body)
    token["token_type"] = "bearer"
    payload = {key: token[key] for key in SUCCESS_KEYS if key in token}
    return no_store(JsonResponse(payload))


def token_error(
    workspace: Workspace, error: str, description: str, status: int, headers: Mapping[str, str], *, rfc: bool = False
) -> JsonResponse:
    """An error body; HTTP 200 in ProcessMaker's error mode, the RFC 6749 status otherwise, or when
    `rfc` says so (a grant ProcessMaker has not, whose clients know only the RFC's statuses)."""
    payload = {"error": error, "error_description": description}
    TOKEN_ERRORS.labels(workspace.name, error if error in KNOWN_ERRORS else "other").inc()
    if workspace.error_mode == ErrorMode.PROCESSMAKER and not rfc:
        return no_store(JsonResponse(payload, status=200))
    response = no_store(JsonResponse(payload, status=status))
    if status == 401:
        response["WWW-Authenticate"] = headers.get("WWW-Authenticate") or f'Basic realm="{workspace.name}"'
    return response


def token_error_from_oauthlib(
    workspace: Workspace, body: str, status: int, headers: Mapping[str, str], *, rfc: bool = False
) -> JsonResponse:
    data = json.loads(body)
    error, description = data.get("error", "invalid_request"), data.get("error_description", "")
    return token_error(workspace, error, description, status, headers, rfc=rfc)


def token_error_from(workspace: Workspace, error: OAuth2Error) -> JsonResponse:
    return token_error(workspace, error.error, error.description, error.status_code, dict(error.headers))
