"""Logging filters, configured in settings.LOGGING (so this module imports nothing of the project
that needs Django's app registry: workspaces.names imports no model)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from workspaces.names import redact_token_paths

DATABASE_DOWN = (OperationalError, InterfaceError)


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
