"""Logging filters, configured in settings.LOGGING (so this module imports nothing of the project)."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

DATABASE_DOWN = (OperationalError, InterfaceError)


class DatabaseDownFilter(logging.Filter):
    """Drops django.request's traceback for a request the database could not serve: while it is down
    every request would write one (hundreds a second); pmsite.unavailable says it once in a while."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, DATABASE_DOWN)
