"""Shared versions: a value in Redis that every process reads alike and any process can change, so a
process knows whether what it keeps is still current (`plumbing.row_cache`, renewed by
`plumbing.table_versions`). Without Redis, or while it is down, there is none (the database fallback
would cost what a version is meant to save), and callers keep nothing.
"""

from __future__ import annotations

from django.core.cache import caches

from plumbing.failover_cache import FailoverRedisCache


def version(key: str) -> bytes | None:
    """The current value of the shared version `key`: a value every process reads alike, which
    `new_version` changes. None without Redis or while it is down (the database fallback would cost
    what a version is meant to save)."""
    cache = caches["default"]
    return cache.shared_version(key) if isinstance(cache, FailoverRedisCache) else None


def new_version(key: str) -> bool:
    """Change the shared version `key`; False (nothing changed) without Redis or while it is down."""
    cache = caches["default"]
    return cache.new_shared_version(key) if isinstance(cache, FailoverRedisCache) else False
