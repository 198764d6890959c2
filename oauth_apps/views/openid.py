"""OpenID Connect's endpoints of a workspace: Discovery, the JWKS and UserInfo.

All three answer 404 where OpenID Connect is not served (no PM_PUBLIC_URL or PM_ENCRYPTION_KEYS:
`oauth_apps.oidc.why_disabled`). UserInfo takes the bearer token in the Authorization header
(RFC 6750 2.1) and answers errors in RFC 6750's shape in either error mode: ProcessMaker has no
UserInfo, so no ProcessMaker client expects another.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from oauth_apps import oidc
from oauth_apps.bearer import bearer_token, find_own_access_token
from oauth_apps.oidc import claims, keys
from oauth_apps.responses import no_store
from oauth_apps.views.metadata import metadata_for
from workspaces import scopes
from workspaces.http import WorkspaceRequest, client_address, public_origin


def served(request: HttpRequest) -> None:
    if not oidc.enabled():
        raise Http404(oidc.why_disabled())


def discovery_for(request: WorkspaceRequest) -> dict[str, Any]:
    """OpenID Connect Discovery 1.0 section 3: the RFC 8414 metadata, and what OpenID Connect adds.
    Each value is what the endpoints do: nothing is listed that they would refuse."""
    workspace = request.workspace
    origin = public_origin(request)
    return {
        **metadata_for(request, workspace),
        "userinfo_endpoint": origin + reverse("userinfo", kwargs={"ws": workspace.name}),
        "jwks_uri": origin + reverse("jwks", kwargs={"ws": workspace.name}),
        "end_session_endpoint": origin + reverse("end-session", kwargs={"ws": workspace.name}),
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": list(keys.ALGORITHMS),
        "claims_supported": claims.SUPPORTED,
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["en"],
    }


@require_safe
def discovery(request: WorkspaceRequest) -> JsonResponse:
    served(request)
    response = JsonResponse(discovery_for(request))
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def jwks(request: WorkspaceRequest) -> JsonResponse:
    """The workspace's published keys: the signing ones, announced successors and recently replaced
    ones (`oauth_apps.oidc.keys`). A workspace that has signed nothing yet gets its first keys now,
    so a relying party that fetches the set before the first sign-in already has them."""
    served(request)
    found = keys.jwks(request.workspace)
    missing = set(keys.ALGORITHMS) - {key.get("alg") for key in found["keys"]}
    if missing:  # only until the workspace has a key for each algorithm: one query a request after
        for algorithm in sorted(missing):
            keys.signing_key(request.workspace, algorithm)
        found = keys.jwks(request.workspace)
    response = JsonResponse(found)
    response["Cache-Control"] = "public, max-age=300"
    return response


def bearer_error(status: int, error: str, description: str) -> HttpResponse:
    response = no_store(JsonResponse({"error": error, "error_description": description}, status=status))
    response["WWW-Authenticate"] = f'Bearer error="{error}", error_description="{description}"'
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request: WorkspaceRequest) -> HttpResponse:
    """OpenID Connect Core 5.3: the claims of the token's identity scopes about its user."""
    served(request)
    token = bearer_token(request.META.get("HTTP_AUTHORIZATION", ""))
    if token is None:
        response = no_store(HttpResponse(status=401))
        response["WWW-Authenticate"] = f'Bearer realm="{request.workspace.name}"'  # RFC 6750 3.1: no error
        return response
    presented = find_own_access_token(request.workspace, token, address=client_address(request), via="userinfo")
    if presented is None or not presented.access.is_live():
        return bearer_error(401, "invalid_token", "The access token is unknown, expired or revoked")
    user, granted = presented.access.user, scopes.split(presented.access.scope)
    if user is None or not user.can_log_in():
        return bearer_error(401, "invalid_token", "The access token's user can no longer sign in")
    if scopes.OPENID not in granted:
        return bearer_error(403, "insufficient_scope", "The access token was not granted the openid scope")
    return no_store(JsonResponse(claims.for_scopes(user, granted)))
