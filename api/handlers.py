"""Every REST API error in ProcessMaker's shape, DRF's and Django's own alike."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.policy import NotAllowed
from api.errors import STATUS_MESSAGES, error_body
from api.permissions import InsufficientScope
from workspaces.names import API_ROOT


def describe(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested error details as "field: message" lines."""
    if isinstance(detail, dict):
        return [
            line
            for key, value in detail.items()
            for line in describe(value, f"{prefix}{key}: " if key != "non_field_errors" else prefix)
        ]
    if isinstance(detail, list):
        return [line for item in detail for line in describe(item, prefix)]
    return [f"{prefix}{detail}"]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, NotAllowed):
        exc = exceptions.PermissionDenied(str(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        message = "Unauthorized"
        rfc6750_error = getattr(exc, "rfc6750_error", None)
        if rfc6750_error and "WWW-Authenticate" in response:
            response["WWW-Authenticate"] += f', error="{rfc6750_error}"'
            description = getattr(exc, "rfc6750_description", None)
            if description:
                response["WWW-Authenticate"] += f', error_description="{description}"'
    elif isinstance(exc, InsufficientScope):
        # RFC 6750 3.1: the scope the resource needs (a missing permission gets no challenge: no
        # other token of the same user would do better).
        message = str(exc.detail)
        response["WWW-Authenticate"] = (
            f'Bearer realm="{context["request"].workspace.name}", error="insufficient_scope", scope="{exc.scope}"'
        )
    elif isinstance(exc, exceptions.ValidationError):
        message = "; ".join(describe(response.data))
    else:
        message = str(getattr(exc, "detail", "")) or STATUS_MESSAGES.get(response.status_code, "Error")
    response.data = error_body(response.status_code, message)
    return response


def _api_or(default: Any, status: int) -> Any:
    def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.path.startswith(API_ROOT):
            return JsonResponse(error_body(status, STATUS_MESSAGES[status]), status=status)
        return default(request, *args, **kwargs)  # type: ignore[no-any-return]

    return handler


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A person's 404 page: what our views say when they raise Http404 with a sentence ("No such
    application."), else the plain fact. Never the resolver's internals (Django's own page would
    print "Resolver404" for an address no URL matches)."""
    said = exception.args[0] if exception.args else ""
    message = said if isinstance(said, str) and not isinstance(exception, Resolver404) else ""
    return render(request, "404.html", {"message": message}, status=404)


# Django's own error views (no URL matched, bad request, crash) answer API paths in the same shape.
not_found = _api_or(page_not_found, 404)
bad_request = _api_or(defaults.bad_request, 400)
server_error = _api_or(defaults.server_error, 500)
