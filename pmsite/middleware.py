"""The browser's middleware, only for requests that come from a browser.

Sessions, CSRF, `request.user`, web-session sliding, operator sessions and messages are what a
person's pages need. A machine request never needs them: every OAuth route of a workspace but
authorize (token, revoke, introspect, and ProcessMaker's expire and delete routes, at /{ws}/oauth2/
and /api/1.0/{ws}/oauth2/: authenticated by the client or the token itself, CSRF-exempt, no session
read or written), the RFC 8414 metadata, `/health`, and a REST call that carries no session cookie
(authenticated by its bearer token alone). For those, each of these middleware classes steps
aside (what that saved: docs/performance.md). Everything else, the authorize endpoint,
the pages and any API call with a session cookie, goes through all of them exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render

from accounts.middleware import ADMIN_PREFIX, OperatorSessionMiddleware
from api import errors as api_errors
from oauth_apps import errors as oauth_errors
from oauth_apps.middleware import WebSessionMiddleware
from oauth_apps.responses import no_store
from workspaces.names import API_PATH, is_well_known, path_shape

# A workspace's OAuth routes (but authorize, a person's page), its metadata and the load balancer's
# probes: never a session, whatever cookies come along.
PROBES = frozenset({"/health", "/ready", "/metrics"})
MACHINE_KEY = "_pm_machine_request"


def is_machine_request(request: HttpRequest) -> bool:
    """True for a request that no session, CSRF check or `request.user` from a cookie concerns."""
    known = request.__dict__.get(MACHINE_KEY)
    if known is None:
        path = request.path_info
        shape = path_shape(path)
        if shape is not None and shape.kind == "oauth":
            known = not shape.is_for_people
        else:
            known = (
                path in PROBES
                or is_well_known(path)
                or (path.startswith(API_PATH) and settings.SESSION_COOKIE_NAME not in request.COOKIES)
            )
        request.__dict__[MACHINE_KEY] = known
    return known


def browser_only(middleware: type[Any]) -> type[Any]:
    """`middleware`, stepping aside (its hooks included) for a machine request."""

    class BrowserOnly(middleware):  # type: ignore[misc, valid-type]
        def __call__(self, request: HttpRequest) -> HttpResponse:
            if is_machine_request(request):
                response: HttpResponse = self.get_response(request)
                return response
            return super().__call__(request)  # type: ignore[no-any-return]

        if hasattr(middleware, "process_view"):

            def process_view(self, request: HttpRequest, view: Callable[..., Any], *args: Any) -> HttpResponse | None:
                if is_machine_request(request):
                    return None
                return super().process_view(request, view, *args)  # type: ignore[no-any-return]

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = f"BrowserOnly{middleware.__name__}"
    BrowserOnly.__module__ = __name__
    return BrowserOnly


BrowserSessionMiddleware = browser_only(SessionMiddleware)
BrowserCsrfViewMiddleware = browser_only(CsrfViewMiddleware)
BrowserAuthenticationMiddleware = browser_only(AuthenticationMiddleware)
BrowserWebSessionMiddleware = browser_only(WebSessionMiddleware)
BrowserOperatorSessionMiddleware = browser_only(OperatorSessionMiddleware)
BrowserMessageMiddleware = browser_only(MessageMiddleware)


class MachineHttpsMiddleware:
    """Outside the plain-HTTP demo, a machine endpoint reached over plain HTTP is refused (403, in the
    endpoint's own error shape) rather than redirected: the credentials already crossed the network
    in the clear, and a client that followed a 301 with the same POST would send them again. The
    token, revoke, introspect and device endpoints and ProcessMaker's token-in-path routes (under
    both prefixes) answer `{"error": "invalid_request", "error_description": "HTTPS is required"}`,
    the REST API ProcessMaker's shape. A browser's GET without credentials (the API's schema page)
    is still redirected by Django's SecurityMiddleware, which comes after this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.HTTPS_ONLY and not request.is_secure() and self.carries_credentials(request):
            path = request.path_info
            shape = path_shape(path)
            if shape is not None and shape.kind == "oauth" and not shape.is_for_people:
                body: dict[str, Any] = {"error": "invalid_request", "error_description": oauth_errors.HTTPS_REQUIRED}
                return no_store(JsonResponse(body, status=403))
            if path.startswith(API_PATH) and (shape is None or shape.kind != "oauth"):
                return JsonResponse(api_errors.error_body(403, api_errors.HTTPS_REQUIRED), status=403)
        return self.get_response(request)

    @staticmethod
    def carries_credentials(request: HttpRequest) -> bool:
        """Anything but a plain GET or HEAD: a POST's body, or an Authorization header."""
        return request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META


class PageErrorMiddleware:
    """A person's page that answers an empty error (Django's 405 for a method a view does not take)
    gets a page in the site's layout instead of the browser's bare "HTTP ERROR 405". Machine
    requests, the REST API (ProcessMaker's JSON errors) and the admin are left as they are."""

    PAGES = {405: "405.html"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        template = self.PAGES.get(response.status_code)
        if template is None or getattr(response, "streaming", False) or response.content:
            return response
        if is_machine_request(request) or request.path_info.startswith((API_PATH, ADMIN_PREFIX)):
            return response
        page = render(request, template, {"allowed": response.get("Allow", "")}, status=response.status_code)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
