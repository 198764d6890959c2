"""RFC 8414 authorization server metadata, one document per workspace.

Served at /{ws}/.well-known/oauth-authorization-server and at the path-insertion form RFC 8414
section 3.1 prescribes for an issuer with a path, /.well-known/oauth-authorization-server/{ws}.
The issuer is the value `iss` carries in rfc6749-mode authorization responses (RFC 9207).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from oauth_apps import callbacks, errors, oidc
from oauth_apps.oidc.provider import FRONT_CHANNEL
from oauth_apps.views import issuer
from workspaces import scopes
from workspaces.http import public_origin
from workspaces.models import ErrorMode, Workspace


def metadata_for(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    origin = public_origin(request)

    def endpoint(name: str) -> str:
        return origin + reverse(name, kwargs={"ws": workspace.name})

    return {
        "issuer": issuer(request, workspace),
        "authorization_endpoint": endpoint("authorize"),
        "token_endpoint": endpoint("token"),
        "revocation_endpoint": endpoint("revoke"),
        "introspection_endpoint": endpoint("introspect"),
        "device_authorization_endpoint": endpoint("device-authorization"),
        "scopes_supported": list(scopes.KNOWN if oidc.enabled() else scopes.API),
        "response_types_supported": ["code", "token", *(FRONT_CHANNEL if oidc.enabled() else ())],
        "response_modes_supported": list(callbacks.MODES),
        "grant_types_supported": [*errors.SUPPORTED_GRANT_TYPES, "implicit"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        # RFC 9207: only a workspace in rfc6749 mode adds `iss` (ProcessMaker's clients compare the
        # callback's query exactly, so its own mode leaves it out).
        "authorization_response_iss_parameter_supported": workspace.error_mode == ErrorMode.RFC6749,
    }


@require_safe
def metadata(request: HttpRequest) -> JsonResponse:
    workspace: Workspace = request.workspace  # type: ignore[attr-defined]
    response = JsonResponse(metadata_for(request, workspace))
    response["Cache-Control"] = "public, max-age=60"
    return response
