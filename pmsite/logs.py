"""What the logs are: settings.LOGGING (`configuration`) and its filters. Settings import this module,
so it imports nothing of the project that needs Django's app registry (workspaces.names imports no
model)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError

from workspaces.names import redact_token_paths

DATABASE_DOWN = (OperationalError, InterfaceError)


def configuration(level: str, at_least_info: str, form: str) -> dict[str, Any]:
    """Every line to stdout, at `level`, as `form` ("plain" or "json"), each with its request id and
    with tokens in paths redacted; loggers that write credentials at DEBUG at `at_least_info`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "plumbing.requestid.RequestIdFilter"},
            "database_down": {"()": "pmsite.logs.DatabaseDownFilter"},
            "token_paths": {"()": "pmsite.logs.RedactTokenPaths"},
            "client_faults": {"()": "pmsite.logs.ClientFaultFilter"},
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": form,
                "filters": ["request_id", "token_paths", "client_faults"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "oauthlib": {"level": at_least_info},
            "oauth2_provider": {"level": at_least_info},
            "django.db.backends": {"level": at_least_info},
            "django.request": {"filters": ["database_down"]},
        },
    }


class DatabaseDownFilter(logging.Filter):
    """Drops django.request's traceback for a request the database could not serve: while it is down
    every request would write one (hundreds a second); pmsite.unavailable says it once in a while."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, DATABASE_DOWN)


class RedactTokenPaths(logging.Filter):
    """Every line the handler writes with ProcessMaker's token-in-path URLs redacted
    (`workspaces.names.redact_token_paths`): Django's request logger writes the path of every 4xx
    and 5xx, so a wrong method, a 404 or a mistyped workspace on `/{ws}/oauth2/{token}/expire` would
    put a live token in the log. The JSON formatter also writes the record's `request`, which is
    redacted the same way."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_token_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        request = getattr(record, "request", None)
        if request is not None:
            record.request = redact_token_paths(repr(request))
        return True


class ClientFaultFilter(logging.Filter):
    """Django's security loggers (a Host header not in ALLOWED_HOSTS, too many fields, a body too
    large...) write an ERROR line with a traceback for every such request: the client's fault, which
    anyone can repeat at will. Written as one WARNING line, without the traceback, its text cut short."""

    LONGEST = 200

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security.") and record.levelno > logging.WARNING:
            message = record.getMessage()
            record.msg = message if len(message) <= self.LONGEST else message[: self.LONGEST] + "..."
            record.args, record.exc_info, record.exc_text, record.stack_info = (), None, None, None
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True
