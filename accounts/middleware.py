"""Site operators' admin sessions end when idle and, in any case, some hours after login."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse

STARTED_KEY = "_pm_operator_login_at"
SEEN_KEY = "_pm_operator_seen_at"


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
        if request.path.startswith("/admin/") and user.is_authenticated and getattr(user, "workspace_id", 1) is None:
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
