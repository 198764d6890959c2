"""The Django admin's sessions: apart from the workspace pages' sessions, and ending when idle and,
in any case, some hours after login."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse

from workspaces.names import path_shape

STARTED_KEY = "_pm_operator_login_at"
SEEN_KEY = "_pm_operator_seen_at"
ADMIN_PREFIX = "/admin/"
# The admin's cookies, in place of the session and CSRF cookies the workspace pages use.
ADMIN_SESSION_COOKIE = "pm_admin_session"
ADMIN_CSRF_COOKIE = "pm_admin_csrftoken"


def is_admin_page(path: str) -> bool:
    """A Django admin URL. A workspace may be called "admin": its OAuth routes (/admin/oauth2/...,
    the authorize page among them) and metadata are the workspace's, never an admin page (whose URLs
    never have "oauth2" or ".well-known" second)."""
    return path.startswith(ADMIN_PREFIX) and path_shape(path) is None


class AdminCookiesMiddleware:
    """Before the session and CSRF middleware: the admin's pages keep their session and CSRF token in
    cookies of their own (ADMIN_SESSION_COOKIE, ADMIN_CSRF_COOKIE, path /admin/), so that logging in
    to or out of the admin never ends, replaces or rotates a workspace user's session in the same
    browser, nor the other way round.

    On an admin page the request's cookies are seen under the stock names (what Django's middleware
    reads) and the cookies the response sets are renamed and limited to the admin's path."""

    RENAMED = {ADMIN_SESSION_COOKIE: "SESSION_COOKIE_NAME", ADMIN_CSRF_COOKIE: "CSRF_COOKIE_NAME"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_admin_page(request.path_info):
            return self.get_response(request)
        stock = {admin: getattr(settings, setting) for admin, setting in self.RENAMED.items()}
        cookies = {name: value for name, value in request.COOKIES.items() if name not in stock.values()}
        for admin, name in stock.items():
            if admin in cookies:
                cookies[name] = cookies.pop(admin)
        request.COOKIES = cookies
        response = self.get_response(request)
        path = request.META.get("SCRIPT_NAME", "").rstrip("/") + ADMIN_PREFIX
        for admin, name in stock.items():
            morsel = response.cookies.pop(name, None)
            if morsel is not None:
                response.cookies[admin] = morsel.value
                response.cookies[admin].update({key: value for key, value in morsel.items() if value})
                response.cookies[admin]["path"] = path
        return response


class OperatorSessionMiddleware:
    """Runs after AuthenticationMiddleware, on the Django admin's URLs.

    An operator's session ends after PM_ADMIN_IDLE_SECONDS without a request (30 minutes by
    default) and PM_ADMIN_SESSION_SECONDS after login (12 hours), whichever comes first; the
    admin then asks for the password again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if is_admin_page(request.path_info) and user.is_authenticated and getattr(user, "workspace_id", 1) is None:
            now = int(time.time())
            session = request.session
            started = session.setdefault(STARTED_KEY, now)
            seen = session.get(SEEN_KEY, now)
            if now - seen > settings.PM_ADMIN_IDLE_SECONDS or now - started > settings.PM_ADMIN_SESSION_SECONDS:
                auth.logout(request)
            else:
                session[SEEN_KEY] = now
                session.set_expiry(settings.PM_ADMIN_IDLE_SECONDS)
        return self.get_response(request)
