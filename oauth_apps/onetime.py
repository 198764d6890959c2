"""One-time form tokens: a form that creates something carries one, so a reload or a second click
of its POST finds what the first one made instead of making it again.

`claim` is an atomic add in the cache (Redis when configured, shared by every process), so two
requests racing with one token cannot both pass; `done` records what was made, for an hour.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.cache import cache
from django.http import HttpRequest

LIFETIME = 3600


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _key(kind: str, request: HttpRequest, token: str) -> str:
    """The cache key of `token` for the request's signed-in user: the token comes from a form, so it
    is hashed (any characters become a key every cache takes) and held per user (one user's token is
    nothing to another's request)."""
    digest = hashlib.sha256(token[:64].encode("utf-8", "replace")).hexdigest()
    return f"pm-once{kind}:{request.user.pk}:{digest}"


def claim(request: HttpRequest, token: str) -> bool:
    """True for the first request with this token; False for every other."""
    return bool(cache.add(_key("", request, token), 1, LIFETIME))


def done(request: HttpRequest, token: str, result: str) -> None:
    cache.set(_key("-made", request, token), result, LIFETIME)


def already_done(request: HttpRequest, token: str) -> str | None:
    """What the request that claimed this token made, if it has finished."""
    made = cache.get(_key("-made", request, token))
    return str(made) if made is not None else None
