"""The clients each process keeps, never staler than the database.

Every token request looks its client up (`Application.objects.find`), and the row is wide: the
SELECT and the instance it becomes were a tenth of a client-credentials token. So each process
keeps the rows it reads, each with the value a shared version in Redis had just before the read. A
kept row is used only while the version still has that value, and every use reads it (one GET,
half the SELECT's cost). Each committed change to any client (a save or a delete, and so every
cascade, which sends the same signals: a user's or a workspace's deletion) gives the version a new
value, so the very next request on every process and node reads the row afresh. No TTL decides
that; PM_CLIENT_CACHE_SECONDS only bounds how long a row is kept in case a new value could not
be written to Redis (that is logged as an error). A bulk `QuerySet.update()` of clients sends
no signal: call `clients_changed()` after it.

Why a row read just after the version can be kept under it: the row is at least as new as the
version, since on MySQL every statement reads what is committed (READ COMMITTED, Django's level)
and on SQLite a transaction holds the write lock from its start (IMMEDIATE), so nothing commits
while it reads. The one row that could be newer than the database is one a transaction changed
and then rolled back: so a transaction that changed a client reads clients from the database and
keeps nothing until it ends.

Without Redis, while it is down, or with PM_CLIENT_CACHE_SECONDS = 0, nothing is kept: every
request reads the row, as before. Unknown client ids are never kept, and at most CACHED_CLIENTS
rows are (the oldest goes first). Callers get a copy of the kept row, theirs to change.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from time import monotonic
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save

from workspaces import bounded, sharedcache

log = logging.getLogger(__name__)
VERSION_KEY = "oauth:clients:version"
CACHED_CLIENTS = 1000

# (workspace id, client id) -> (version, monotonic expiry, row)
_kept: dict[tuple[int, str], tuple[bytes, float, Any]] = {}


def find(workspace_id: int, client_id: str, read: Callable[[], Any]) -> Any:
    """The client `read()` would give (None for an unknown one), from this process's rows when
    they are current."""
    seconds = settings.PM_CLIENT_CACHE_SECONDS
    if seconds <= 0 or changing_clients(DEFAULT_DB_ALIAS):
        return read()
    version = sharedcache.version(VERSION_KEY)
    if version is None:
        return read()
    key, now = (workspace_id, client_id), monotonic()
    kept = _kept.get(key)
    if kept is not None and kept[0] == version and kept[1] > now:
        return copy.copy(kept[2])
    found = read()
    if found is not None:
        bounded.keep(_kept, key, (version, now + seconds, copy.copy(found)), CACHED_CLIENTS)
    return found


def clients_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Every process on every node reads clients afresh once the current transaction commits
    (at once outside one); a rolled-back transaction changes nothing."""
    if not changing_clients(using):
        transaction.on_commit(announce, using=using)


def announce() -> None:
    # Whatever this process's own PM_CLIENT_CACHE_SECONDS: the processes that keep rows may be others
    # (an admin node or a management command that keeps none still changes clients).
    _kept.clear()
    if settings.REDIS_URL and not sharedcache.new_version(VERSION_KEY):
        log.error(
            "a client changed but Redis did not take the news: other processes may use the old row for up to "
            "PM_CLIENT_CACHE_SECONDS (%s s)",
            settings.PM_CLIENT_CACHE_SECONDS,
        )


def changing_clients(using: str) -> bool:
    """Whether the transaction open on `using` has changed a client: its `announce` is waiting for
    the commit. (Django drops the waiting callbacks of whatever it rolls back, savepoints included.)"""
    connection = connections[using]
    return connection.in_atomic_block and any(announce in waiting for waiting in connection.run_on_commit)


def client_saved_or_deleted(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    clients_changed(using)


def connect(model: type[Any]) -> None:
    post_save.connect(client_saved_or_deleted, sender=model, dispatch_uid="pm_client_cache_save")
    post_delete.connect(client_saved_or_deleted, sender=model, dispatch_uid="pm_client_cache_delete")
