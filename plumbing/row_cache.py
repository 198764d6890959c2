"""Rows a process keeps for as long as the database still says the same: `RowCache`.

Each entry carries the value a shared version in Redis had just before its rows were read
(`plumbing.table_versions` renews the version whenever a write to the rows' tables commits, on any
node), and is used only while the version still has that value: every use reads it, one GET. No
TTL decides freshness; a cache's time bound (a setting) only limits how long an entry lives in case
Redis missed a renewal. Without Redis, while it is down, or with the bound at 0, nothing is kept.
A transaction that has written the rows' tables reads the database and keeps nothing until it ends
(what it wrote may yet be rolled back). Nothing unknown is kept (a `read` that gives None), at most
`limit` entries are (the oldest goes first), and callers get copies of the kept instances, theirs
to change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from time import monotonic
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from plumbing import shared_versions, table_versions
from plumbing.bounded import BoundedMap

T = TypeVar("T")
M = TypeVar("M", bound=Model)
_all: list[RowCache[Any]] = []


class RowCache(Generic[T]):
    def __init__(
        self,
        version_key: str,
        tables: dict[str, bool],
        limit: int,
        seconds: Callable[[], int],
        copy: Callable[[T], T],
    ) -> None:
        """Entries valid while `version_key` is unchanged, which every committed write to `tables`
        ({table: whether inserts count too}) renews; at most `limit` of them, each for at most
        `seconds()`; `copy` makes a caller's copy of an entry."""
        self.version_key, self.seconds, self.copy = version_key, seconds, copy
        self.entries: BoundedMap[Hashable, tuple[bytes, float, T]] = BoundedMap(limit)
        for table, inserts in tables.items():
            table_versions.watch(table, version_key, inserts=inserts, on_renew=self.forget)
        _all.append(self)

    def get(self, key: Hashable, read: Callable[[], T | None], using: str = DEFAULT_DB_ALIAS) -> T | None:
        """What `read()` would give now, from this process's entry for `key` when it is current."""
        seconds = self.seconds()
        if seconds <= 0 or table_versions.changed_in_transaction(self.version_key, using):
            return read()
        if table_versions.renewal_missed():  # a change of ours other processes have not heard of yet
            table_versions.retry_missed()
        version = shared_versions.version(self.version_key)
        if version is None:
            return read()
        now = monotonic()
        kept = self.entries.get(key)
        if kept is not None and kept[0] == version and kept[1] > now:
            return self.copy(kept[2])
        found = read()
        if found is not None:
            self.entries.put(key, (version, now + seconds, self.copy(found)))
        return found

    def forget(self) -> None:
        self.entries.clear()


def version_keys() -> list[str]:
    """The version key of every cache this process has."""
    return [cache.version_key for cache in _all]


class VersionsMiddleware:
    """Every version this process's caches use read in one round trip per request, the first time a
    cache asks (`shared_versions.hold`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        held = shared_versions.hold(version_keys)
        try:
            return self.get_response(request)
        finally:
            shared_versions.release(held)


def forget_all() -> None:
    """Drop every entry of every cache of this process (the tests, between tests)."""
    for cache in _all:
        cache.entries.clear()


def clone(instance: M, copies: dict[int, Model] | None = None) -> M:
    """A copy of `instance` and of every related instance cached on it (select_related's), so that
    nothing a caller changes reaches the original."""
    copies = {} if copies is None else copies
    if id(instance) in copies:
        return copies[id(instance)]  # type: ignore[return-value]
    new = instance.__class__.__new__(instance.__class__)
    copies[id(instance)] = new
    # A JSON field's list or dict is the one mutable value a row holds: each copy gets its own.
    new.__dict__.update(
        {name: value.copy() if isinstance(value, (list, dict)) else value for name, value in instance.__dict__.items()}
    )
    state = instance._state
    new._state = type(state)()
    new._state.__dict__.update(state.__dict__)
    new._state.fields_cache = {
        name: clone(related, copies) if isinstance(related, Model) else related
        for name, related in state.fields_cache.items()
    }
    return new
