"""One-time form tokens: a form that creates something carries one, so a reload or a second click
of its POST finds what the first one made instead of making it again.

`claim` is an atomic add in the cache (Redis when configured, shared by every process), so two
requests racing with one token cannot both pass; `done` records what was made, for an hour.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

LIFETIME = 3600
CLAIMED = "pm-once:{token}"
MADE = "pm-once-made:{token}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(token: str) -> bool:
    """True for the first request with this token; False for every other."""
    return bool(cache.add(CLAIMED.format(token=token[:64]), 1, LIFETIME))


def done(token: str, result: str) -> None:
    cache.set(MADE.format(token=token[:64]), result, LIFETIME)


def already_done(token: str) -> str | None:
    """What the request that claimed this token made, if it has finished."""
    made = cache.get(MADE.format(token=token[:64]))
    return str(made) if made is not None else None
