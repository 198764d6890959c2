"""Window counters every node shares (the login limits' counts): in Redis, each operation in one
round trip (the Lua scripts of `plumbing.failover_cache.FailoverRedisCache`); while Redis is down,
in the database on MySQL (`plumbing.counter_table`: one atomic upsert per count, so every node's
failures add up exactly) or, on SQLite, in each process's memory through the cache API.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import caches

from plumbing import counter_table
from plumbing.failover_cache import FailoverRedisCache


def database_counters() -> str | None:
    """The connection the window counters use while Redis is down (MySQL: every node's), or None
    (SQLite: each process counts in its own memory, through the cache API)."""
    return "shared_cache" if "shared_cache" in settings.DATABASES else None


def forget_and_discount(forgotten: Sequence[str], discounted: Sequence[str]) -> None:
    """Delete the shared counters `forgotten` and take one off each of `discounted` that is counting
    (a login's success: its username starts afresh, its address has one attempt fewer). One round
    trip to Redis, atomic (Django's cache API takes one per key and two per decrement)."""
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache) and cache.forget_and_discount(forgotten, discounted):
        return
    using = database_counters()
    if using is not None:
        counter_table.forget(forgotten, using)
        counter_table.discount(discounted, using)
        return
    cache.delete_many(list(forgotten))
    for key in discounted:
        try:
            cache.decr(key)
        except ValueError:  # not counting (or its window just ended)
            pass


def count_in_window(key: str, window: int) -> int:
    """Add one to the shared counter `key`, which lives `window` seconds from its first count;
    the new value. Django's cache API takes three round trips to Redis for this (add(), then
    incr()'s EXISTS and INCRBY); FailoverRedisCache takes one."""
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache) and window > 0:
        counted = cache.count_in_window(key, window)
        if counted is not None:
            return counted
    using = database_counters()
    if using is not None and window > 0:
        return counter_table.count(key, window, using)
    cache.add(key, 0, timeout=window)  # starts the window; a no-op while it runs
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=window)
        return 1


def count_each(keys: Sequence[str], window: int) -> list[int]:
    """Add one to each of the shared counters `keys` (`count_in_window`); their new values. One
    round trip to Redis."""
    _, counts = check_and_count([], [(key, sys.maxsize) for key in keys], window)
    return counts


def check_and_count(flags: list[str], counters: list[tuple[str, int]], window: int) -> tuple[str | None, list[int]]:
    """The first of the shared `flags` that is set, with nothing counted; otherwise None and the new
    value of each of `counters` (key, limit) counted once in its `window` (`count_in_window`), in
    order, stopping after the first one past its limit. One round trip to Redis; through Django's
    cache API (no Redis, or while it is down) one for the flags and one per counter."""
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache) and window > 0:
        answer = cache.check_and_count(flags, counters, window)
        if answer is not None:
            return answer
    found = cache.get_many(flags)
    for flag in flags:
        if found.get(flag):
            return flag, []
    counts: list[int] = []
    for key, limit in counters:
        counts.append(count_in_window(key, window))
        if counts[-1] > limit:
            break
    return None, counts


def current_count(key: str) -> int:
    """The shared counter `key`'s value now (0 when it is not counting)."""
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache) and not cache.is_down:
        found = cache.get(key)
        if not cache.is_down:  # Redis answered (a get it failed was answered by the fallback cache)
            return int(found or 0)
    using = database_counters()
    return counter_table.value(key, using) if using is not None else int(cache.get(key) or 0)


def extend_counters(keys: Sequence[str], seconds: int) -> None:
    """Make the shared counters `keys` that are counting last `seconds` from now."""
    cache = caches["default"]
    if isinstance(cache, FailoverRedisCache) and not cache.is_down:
        for key in keys:
            cache.touch(key, timeout=seconds)
        if not cache.is_down:  # Redis answered every touch
            return
    using = database_counters()
    if using is not None:
        counter_table.extend(keys, seconds, using)
        return
    for key in keys:
        cache.touch(key, timeout=seconds)
