"""WSGI entry point (granian pmsite.wsgi:application, or gunicorn pmsite.wsgi).

granian hands the application the server process's whole environment along with each request's
variables (CGI does the same). Django would then carry SECRET_KEY, DATABASE_URL with its password
and the rest in every `request.META`, where an error report or a debugging aid could show them.
`application` drops them before Django sees the request.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from pmsite.environment import require_public_url

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")
django_application = get_wsgi_application()
require_public_url(settings.PM_PUBLIC_URL, settings.PM_ALLOW_HTTP)

# What a server sets for a request (CGI/1.1 and WSGI): never dropped, whatever the process has.
REQUEST_VARIABLES = frozenset(
    {"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "CONTENT_LENGTH",
     "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "REMOTE_ADDR", "REMOTE_HOST",
     "REMOTE_PORT", "GATEWAY_INTERFACE"}
)  # fmt: skip


def without_process_environment(environ: dict[str, Any], process: dict[str, str]) -> dict[str, Any]:
    """`environ` less what came from the process environment `process` rather than the request:
    every name the process has, except the request's own variables and headers (an HTTP_ name
    goes only with the process's exact value, so a header the client sent is kept)."""
    for name, value in process.items():
        if name in REQUEST_VARIABLES or name not in environ:
            continue
        if not name.startswith("HTTP_") or environ[name] == value:
            del environ[name]
    return environ


PROCESS_ENVIRONMENT = dict(os.environ)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    response: Iterable[bytes] = django_application(
        without_process_environment(environ, PROCESS_ENVIRONMENT), start_response
    )
    return response
