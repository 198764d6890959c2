"""The id of the request being answered, for every log line written while answering it.

Set by pmsite.observability.RequestMiddleware: the X-Request-ID the trusted proxy sent (the
TrustedProxyMiddleware drops the header from anyone else), or a new one; answered as
X-Request-ID. `RequestIdFilter` puts it on every log record as `request_id`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("pm_request_id", default="-")
ACCEPTED = re.compile(r"\A[A-Za-z0-9._:-]{1,64}\Z")


def new(sent: str | None) -> str:
    """The id for a request: the proxy's when it is a sane token, else a fresh one."""
    return sent if sent and ACCEPTED.match(sent) else uuid.uuid4().hex


def current() -> str:
    return _current.get()


def bind(request_id: str) -> object:
    return _current.set(request_id)


def unbind(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True
