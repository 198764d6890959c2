"""Shared versions that every committed write to some tables renews: what lets a process keep rows.

A process may keep a row it read (a client, a bearer token's lookup) only while nothing it was
built from has changed, on any node. Each such cache names the tables its rows come from and a
version key in Redis (`plumbing.shared_versions`); this module sees every statement the project sends
to the database (an execute wrapper on every connection) and, once a statement that writes one of
those tables commits, gives the key a new value. So a change made through the ORM, a bulk
`QuerySet.update()`, a cascade or raw SQL alike reaches the very next request on every process:
nobody has to remember to announce it. A rolled-back transaction renews nothing (Django drops its
`on_commit` callbacks, savepoints included), and a write outside a transaction renews at once. The
renewal runs after the COMMIT has returned, so whoever reads the new version reads the new rows.
This is the one invalidation design of the project: workspace rows, client rows and bearer lookups
(`plumbing.row_cache`) all rest on it.

Why a row read just after the version may be kept under it: the row is at least as new as the
version, since on MySQL every statement reads what is committed (READ COMMITTED, Django's level)
and on SQLite a transaction holds the write lock from its start (IMMEDIATE), so nothing commits
while it reads. The one row that could be newer than the database is one a transaction wrote
and then rolled back; `changed_in_transaction` tells a cache that the open transaction has written
its tables, so that it reads the database and keeps nothing until the transaction ends.

Inserts renew a version only where a cache asks for it (`inserts=True`): a new token row changes
no lookup a process keeps (unknown tokens are never kept), and issuing tokens is the hot path.
Writes by other programs than this one (a DBA's SQL) are not seen: each cache's time bound
(its setting) is the backstop for those.

A renewal Redis did not take (down, or stalled past the client's timeout) is logged and tried again
by the process that made the change, until Redis takes it: on a timer, every RETRY_SECONDS, and
before that process's next cached read (`retry_missed`). Every other process keeps using what it
holds until then, so a revoked token is refused everywhere within a second of Redis answering again,
rather than at the end of the caches' time bound.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from plumbing import shared_versions

log = logging.getLogger(__name__)

# table name, in lower case (MySQL on some systems, and SQLite, take names in any case)
# -> {version key: whether an INSERT renews it}
_watched: dict[str, dict[str, bool]] = {}
_pattern: re.Pattern[str] | None = None
# version key -> what each process drops of its own when the key is renewed here
_listeners: dict[str, list[Callable[[], None]]] = {}
# version key -> the one callback that renews it (one identity per key: a transaction queues it once)
_renewers: dict[str, Callable[[], None]] = {}

RETRY_SECONDS = 1.0
# version keys whose renewal Redis did not take, and the timer that retries them (this process's)
_missed: set[str] = set()
_missed_lock = threading.Lock()
_retry_timer: threading.Timer | None = None

# table name, in lower case -> columns no kept row's use depends on: an UPDATE that sets only these
# renews nothing (the users' last_login, written at every web login)
_unread: dict[str, frozenset[str]] = {}
# statements sent inside `not_renewing()` renew nothing
_not_renewing: ContextVar[bool] = ContextVar("pm_not_renewing", default=False)
UPDATE_SET = re.compile(r"^\s*UPDATE\s+[`\"]?(\w+)[`\"]?\s+SET\s+(.*?)\s+WHERE\s", re.IGNORECASE | re.DOTALL)
# Only a SET list of parameters (what the ORM sends: `col` = %s, ...) is read; anything else renews.
ASSIGNMENT = r"\s*[`\"]?(\w+)[`\"]?\s*=\s*%s\s*"
SET_PARAMETERS = re.compile(rf"{ASSIGNMENT}(?:,{ASSIGNMENT})*")
SET_COLUMN = re.compile(ASSIGNMENT)

READS = frozenset({"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "SET", "SHOW", "PRAGMA", "EXPLAIN"})
INSERT_TARGET = re.compile(r"^\s*INSERT\b[^`\"]*?\bINTO\s+[`\"]?(\w+)", re.IGNORECASE)
UPSERT = re.compile(r"\bON\s+DUPLICATE\s+KEY\s+UPDATE\b|\bON\s+CONFLICT\b.*\bDO\s+UPDATE\b", re.IGNORECASE | re.DOTALL)


def watch(table: str, key: str, *, inserts: bool = False, on_renew: Callable[[], None] | None = None) -> None:
    """Renew the shared version `key` after every committed statement that updates or deletes rows of
    `table` (and inserts them, with `inserts`). `on_renew` runs in the process that made the change."""
    global _pattern
    keys = _watched.setdefault(table.lower(), {})
    keys[key] = keys.get(key, False) or inserts
    _renewers.setdefault(key, _renewer(key))
    if on_renew is not None and on_renew not in _listeners.setdefault(key, []):
        _listeners[key].append(on_renew)
    names = "|".join(re.escape(name) for name in sorted(_watched, key=len, reverse=True))
    _pattern = re.compile(rf"(?<![\w$])({names})(?![\w$])", re.IGNORECASE)


def unread_columns(table: str, columns: set[str]) -> None:
    """Declare that no kept row's use depends on `columns` of `table`: an UPDATE of `table` that
    sets nothing else renews nothing."""
    _unread[table.lower()] = frozenset(column.lower() for column in columns)


@contextmanager
def not_renewing() -> Iterator[None]:
    """The statements sent inside renew nothing. Only for a write no kept row can be wrong without:
    a web session's token's expiry moved later (a kept lookup whose expiry has passed is read again,
    `oauth_apps.bearer`), which a busy site writes many times a second."""
    token = _not_renewing.set(True)
    try:
        yield
    finally:
        _not_renewing.reset(token)


def _sets_only_unread_columns(sql: str) -> bool:
    found = UPDATE_SET.match(sql)
    if found is None or found[1].lower() not in _unread or not SET_PARAMETERS.fullmatch(found[2]):
        return False
    columns = {column.lower() for column in SET_COLUMN.findall(found[2])}
    return bool(columns) and columns <= _unread[found[1].lower()]


def keys_written(sql: str) -> set[str]:
    """The version keys a statement renews when it commits."""
    words = sql.lstrip(" \t\r\n(")[:10].split(None, 1)
    verb = words[0].upper() if words else ""
    if verb in READS or _pattern is None or _not_renewing.get():
        return set()
    if verb == "UPDATE" and _sets_only_unread_columns(sql):
        return set()
    if verb == "INSERT" and not UPSERT.search(sql):
        target = INSERT_TARGET.match(sql)
        tables = {target[1]} if target else {match.group(1) for match in _pattern.finditer(sql)}
        return {key for table in tables for key, inserts in _watched.get(table.lower(), {}).items() if inserts}
    # UPDATE, DELETE, an upsert or REPLACE (which change rows already there), TRUNCATE, ALTER, DROP,
    # ...: any watched table the statement names.
    return {key for match in _pattern.finditer(sql) for key in _watched.get(match.group(1).lower(), {})}


def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """The execute wrapper every connection runs: the statement, then what its commit will renew."""
    result = execute(sql, params, many, context)
    if _pattern is not None and isinstance(sql, str):
        keys = keys_written(sql)
        if keys:
            alias = context["connection"].alias
            for key in keys:
                renew_on_commit(key, alias)
    return result


def install(sender: Any = None, connection: BaseDatabaseWrapper | None = None, **kwargs: Any) -> None:
    """Put the wrapper on `connection` (the `connection_created` signal's receiver). First in the
    list: `connection.execute_wrapper()` blocks pop the last one on their way out."""
    if connection is not None and wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, wrapper)


def renew_on_commit(key: str, using: str) -> None:
    """Renew `key` when the open transaction on `using` commits (at once outside one), once."""
    if not changed_in_transaction(key, using):
        transaction.on_commit(_renewers[key], using=using)


def changed_in_transaction(key: str, using: str) -> bool:
    """Whether the transaction open on `using` has written tables `key` is renewed for (its renewal
    waits for the commit)."""
    connection = connections[using]
    renewer = _renewers.get(key)
    return connection.in_atomic_block and any(waiting[1] is renewer for waiting in connection.run_on_commit)


def renew(key: str) -> None:
    """Give `key` a new value now (and drop what this process keeps under it); if Redis does not take
    it, try again until it does (`retry_missed`)."""
    for listener in _listeners.get(key, ()):
        listener()
    renewed = not settings.REDIS_URL or shared_versions.new_version(key)
    shared_versions.forget_held()
    if not renewed:
        log.error(
            "a change of %s was not written to Redis: other processes use what they keep until it is "
            "(tried again every %.0f s)",
            key, RETRY_SECONDS,
        )  # fmt: skip
        with _missed_lock:
            _missed.add(key)
        _schedule_retry()


def retry_missed() -> None:
    """Renew every key whose renewal Redis did not take; the timer calls this, and so does every cached
    read of this process while one is missing (`plumbing.row_cache`)."""
    with _missed_lock:
        keys = list(_missed)
    for key in keys:
        if shared_versions.new_version(key):
            shared_versions.forget_held()
            with _missed_lock:
                _missed.discard(key)
            log.warning("the change of %s reached Redis after all", key)
    if _missed:
        _schedule_retry()


def renewal_missed() -> bool:
    return bool(_missed)


def forget_missed() -> None:
    """Give up on every missed renewal (the tests, between tests)."""
    with _missed_lock:
        _missed.clear()


def _schedule_retry() -> None:
    """One timer at a time, started again by the retry it runs while a key is still missing."""
    global _retry_timer
    with _missed_lock:
        if _retry_timer is not None:
            return
        _retry_timer = threading.Timer(RETRY_SECONDS, _retry_on_timer)
        _retry_timer.daemon = True
        _retry_timer.start()


def _retry_on_timer() -> None:
    global _retry_timer
    with _missed_lock:
        _retry_timer = None
    retry_missed()


def _renewer(key: str) -> Callable[[], None]:
    def renew_key() -> None:
        renew(key)

    renew_key.__qualname__ = renew_key.__name__ = f"renew[{key}]"
    return renew_key
