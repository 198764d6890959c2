"""Small HTTP helpers shared by the web pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from workspaces.models import Workspace


def forbid_framing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No page that takes credentials or consent may be framed (clickjacking).

    X-Frame-Options comes from Django's middleware for every page; this adds the CSP
    equivalent that current browsers prefer. (No form-action: the consent form's answer
    redirects to the client's callback, which form-action 'self' would block.)
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response

    return wrapper


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, as the trusted proxy (if any) reported it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown") if request is not None else "unknown"


class WorkspaceRequest(HttpRequest):
    """A request the routing middleware resolved to a workspace (the type views annotate)."""

    workspace: Workspace
