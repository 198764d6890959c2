"""The bounded maps a process's own caches keep their entries in (workspace rows, client rows,
bearer lookups): cachetools' FIFOCache behind a lock, since a worker answers from several threads
(PM_THREADS). At most `limit` entries, whatever clients ask for: a new entry drops the one written
longest ago (writing a key again makes it the newest)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

from cachetools import FIFOCache

K = TypeVar("K")
V = TypeVar("V")


class BoundedMap(Generic[K, V]):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: FIFOCache[K, V] = FIFOCache(maxsize=limit)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._entries[key] = value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        """The keys, oldest first (a snapshot)."""
        with self._lock:
            return iter(list(self._entries))

    def values(self) -> list[V]:
        with self._lock:
            return list(self._entries.values())
