"""Shared versions: a value in Redis that every process reads alike and any process can change, so a
process knows whether what it keeps is still current (`plumbing.row_cache`, renewed by
`plumbing.table_versions`). Without Redis, or while it is down, there is none (the database fallback
would cost what a version is meant to save), and callers keep nothing.

Within a request (`hold` and `release`, around every request: `plumbing.row_cache.VersionsMiddleware`)
every version the process's caches use is read in one round trip, the first time one is asked for,
and the request is answered from that reading: a request that looks up its workspace, then its
client or its bearer token, pays one Redis round trip, not one per cache. A change another process
commits while the request runs is seen from the next request on; one this process commits renews its
versions afresh (`forget_held`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token

from django.core.cache import caches

from plumbing.failover_cache import FailoverRedisCache


class Held:
    """The versions one request has read (read on the first ask)."""

    def __init__(self, keys: Callable[[], Sequence[str]]) -> None:
        self.keys = keys
        self.values: dict[str, bytes] | None = None

    def get(self, key: str) -> bytes | None:
        if self.values is None:
            keys = list(self.keys())
            if key not in keys:
                keys.append(key)
            read = _read(keys)
            self.values = dict(zip(keys, read, strict=True)) if read is not None else {}
        return self.values.get(key)


_held: ContextVar[Held | None] = ContextVar("pm_shared_versions", default=None)


def _read(keys: Sequence[str]) -> list[bytes] | None:
    cache = caches["default"]
    return cache.shared_versions(keys) if isinstance(cache, FailoverRedisCache) else None


def version(key: str) -> bytes | None:
    """The current value of the shared version `key`: a value every process reads alike, which
    `new_version` changes. None without Redis or while it is down."""
    held = _held.get()
    if held is not None:
        return held.get(key)
    read = _read([key])
    return read[0] if read else None


def new_version(key: str) -> bool:
    """Change the shared version `key`; False (nothing changed) without Redis or while it is down."""
    cache = caches["default"]
    return cache.new_shared_version(key) if isinstance(cache, FailoverRedisCache) else False


def forget_held() -> None:
    """This process has just renewed a version: the request that did it reads them again if it asks."""
    held = _held.get()
    if held is not None:
        held.values = None


def hold(keys: Callable[[], Sequence[str]]) -> Token[Held | None]:
    """Answer `version()` from one reading of `keys` (made when one is first asked for) until
    `release()`: a request's worth (plumbing.row_cache.VersionsMiddleware)."""
    return _held.set(Held(keys))


def release(held: Token[Held | None]) -> None:
    _held.reset(held)
