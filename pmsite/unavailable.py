"""A database that does not answer is a 503 that says so, fast, never a 500.

Django calls `server_error` (handler500) for any exception nobody caught; when that exception is
the database refusing or dropping the connection (MariaDB restarting, a failover), the answer is
503 with Retry-After, in the shape the caller reads: ProcessMaker's REST error body on /api/, an
OAuth error body on the OAuth routes, a page otherwise. The connection is closed at the end of the
request (Django does it for a connection that saw an error), so the next request connects afresh.
"""

from __future__ import annotations

import logging
import sys
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from api.errors import error_body
from api.handlers import server_error as api_server_error
from pmsite.logs import DATABASE_DOWN
from workspaces.names import API_ROOT, is_well_known, path_shape

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = "5"
LOG_EVERY_SECONDS = 5.0
_last_logged = [0.0, 0]  # monotonic time of the last warning, 503s answered since


def note_outage(error: BaseException) -> None:
    """One warning per process every LOG_EVERY_SECONDS while the database is down, not one per request."""
    now = time.monotonic()
    _last_logged[1] += 1
    if now - _last_logged[0] >= LOG_EVERY_SECONDS:
        log.warning("the database is not answering (%s); %d request(s) answered 503", error, _last_logged[1])
        _last_logged[0], _last_logged[1] = now, 0


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_DOWN):
        return api_server_error(request)  # type: ignore[no-any-return]
    note_outage(error)
    response: HttpResponse
    shape = path_shape(request.path)
    oauth = shape is not None and shape.kind == "oauth"
    if request.path.startswith(API_ROOT) and not oauth:
        response = JsonResponse(error_body(503, "Service Unavailable"), status=503)
    elif oauth or is_well_known(request.path):
        body = {"error": "temporarily_unavailable", "error_description": "The server cannot reach its database."}
        response = JsonResponse(body, status=503)
        response["Cache-Control"] = "no-store"
    else:
        response = render(request, "503.html", status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response
