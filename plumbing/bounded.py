"""The one way a process's own caches (workspace rows, client rows) take a new entry."""

from __future__ import annotations

import threading
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
_lock = threading.Lock()  # a worker runs several request threads (PM_THREADS)


def keep(store: dict[K, V], key: K, value: V, limit: int) -> None:
    """Put `key` in `store` as its newest entry, first dropping the oldest while `store` is full, so
    it never holds more than `limit` entries, whatever clients ask for."""
    with _lock:
        store.pop(key, None)
        while store and len(store) >= limit:
            del store[next(iter(store))]
        store[key] = value
