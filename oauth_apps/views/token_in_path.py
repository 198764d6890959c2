"""POST .../oauth2/{token}/expire and DELETE .../oauth2/{token} (`oauth_apps.token_in_path`), at
/{ws}/oauth2/ and /api/1.0/{ws}/oauth2/ alike. Both answer 200 with a JSON object, known token or not."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from oauth_apps import token_in_path
from oauth_apps.responses import no_store
from workspaces.http import WorkspaceRequest, client_address


def method_not_allowed(allowed: str) -> HttpResponse:
    response = JsonResponse({"error": {"code": 405, "message": "Method Not Allowed"}}, status=405)
    response["Allow"] = allowed
    return response


@csrf_exempt
def expire_token(request: WorkspaceRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return method_not_allowed("POST")
    token_in_path.expire_access_token(request.workspace, token, client_address(request))
    return no_store(JsonResponse({}))


@csrf_exempt
def delete_token(request: WorkspaceRequest, token: str) -> HttpResponse:
    if request.method != "DELETE":
        return method_not_allowed("DELETE")
    token_in_path.delete_access_token(request.workspace, token, client_address(request))
    return no_store(JsonResponse({}))
