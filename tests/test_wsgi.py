"""The WSGI entry point keeps the server process's environment out of request.META."""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.signals import request_started
from django.db import close_old_connections

from pmsite import wsgi

PROCESS = {"SECRET_KEY": "s3cret", "DATABASE_URL": "mysql://u:pw@db/x", "HTTP_PROXY": "http://proxy:3128",
           "SERVER_NAME": "from-the-process", "PATH": "/usr/bin"}  # fmt: skip


def environ_for(path: str, **extra: Any) -> dict[str, Any]:
    return {
        **PROCESS,  # as granian (and CGI) hand it over
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1", "wsgi.input": io.BytesIO(b""), "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, **extra,
    }  # fmt: skip


def test_the_process_environment_is_dropped_and_the_request_kept() -> None:
    environ = wsgi.without_process_environment(environ_for("/health", HTTP_X_TRACE="abc"), PROCESS)
    assert "SECRET_KEY" not in environ and "DATABASE_URL" not in environ and "PATH" not in environ
    assert "HTTP_PROXY" not in environ  # the process's value, not a header the client sent
    assert environ["SERVER_NAME"] == "127.0.0.1" and environ["HTTP_X_TRACE"] == "abc"
    assert environ["PATH_INFO"] == "/health" and environ["HTTP_HOST"] == "127.0.0.1"


def test_a_header_that_happens_to_share_a_name_with_the_process_environment_is_kept() -> None:
    environ = wsgi.without_process_environment(environ_for("/health", HTTP_PROXY="sent by the client"), PROCESS)
    assert environ["HTTP_PROXY"] == "sent by the client"


def test_django_sees_no_secret_through_the_entry_point(db: None, monkeypatch: Any) -> None:
    seen: dict[str, Any] = {}

    def receive(sender: object, environ: dict[str, Any], **kwargs: Any) -> None:
        seen.update(environ)  # what Django's handler builds request.META from

    monkeypatch.setattr(wsgi, "PROCESS_ENVIRONMENT", PROCESS)
    request_started.connect(receive)
    # As Django's test client does: the test's database connection must outlive the request.
    request_started.disconnect(close_old_connections)
    try:
        statuses: list[str] = []
        b"".join(wsgi.application(environ_for("/health"), lambda status, headers, *rest: statuses.append(status)))
    finally:
        request_started.disconnect(receive)
        request_started.connect(close_old_connections)
    assert statuses == ["200 OK"] and seen["PATH_INFO"] == "/health"
    assert not {"SECRET_KEY", "DATABASE_URL", "PATH", "HTTP_PROXY"} & set(seen)
