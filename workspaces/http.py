"""Small HTTP helpers shared by the web pages."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from workspaces.models import User, Workspace


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


def credential_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that takes a credential (a password, a code): never cached, never framed, CSRF-checked,
    GET and POST only."""
    return never_cache(forbid_framing(csrf_protect(require_http_methods(["GET", "POST"])(view))))


def parse_json(body: bytes, encoding: str = "utf-8") -> Any:
    """JSON from an untrusted body, or ValueError for anything but plain well-formed JSON: bad
    syntax or encoding, nesting deep enough to exhaust Python's recursion limit, or a lone
    surrogate ("\\ud800"), which no UTF-8 text can carry and which would fail (as a 500) the moment
    anything echoed it back or stored it."""
    try:
        value = json.loads(body.decode(encoding))
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # refuses lone surrogates
    except (ValueError, UnicodeError, RecursionError, LookupError) as error:
        raise ValueError("The body is not well-formed JSON.") from error
    return value


def is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address, as the trusted proxy (if any) reported it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown") if request is not None else "unknown"


def public_origin(request: HttpRequest) -> str:
    """The origin every URL this server publishes starts with: PM_PUBLIC_URL, or in the plain-HTTP
    demo (no PM_PUBLIC_URL) the request's own."""
    return settings.PM_PUBLIC_URL or f"{request.scheme}://{request.get_host()}"


def signed_in_user(request: HttpRequest) -> User | None:
    """The logged-in user (a workspace user, or a site operator in the admin), or None."""
    return request.user if isinstance(request.user, User) else None


class WorkspaceRequest(HttpRequest):
    """A request the routing middleware resolved to a workspace (the type views annotate)."""

    workspace: Workspace
