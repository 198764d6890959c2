"""Window counters in the database, for while Redis is down (`plumbing.window_counters`): each count is
one atomic upsert, so concurrent failed logins on any node each get a count of their own and a login
limit is never overshot. (Through Django's DatabaseCache, add() then incr() is a read and a write:
20 concurrent failures once got 12 password checks past a limit of 9.)

`count` starts a key's window at its first count and starts it again once the window has ended,
like the Redis script (`plumbing.failover_cache`). The statement is MySQL's INSERT ... ON DUPLICATE
KEY UPDATE, with the new count passed back through LAST_INSERT_ID(expr), or SQLite's INSERT ... ON
CONFLICT DO UPDATE ... RETURNING. Both read and write one row in one statement, under the row's lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import F
from django.utils import timezone

from plumbing.models import SharedCounter
from plumbing.rows import column


def _names(using: str) -> tuple[str, str, str, str]:
    """The table's and the key, count and expiry columns' names, quoted for `using`."""
    quote = connections[using].ops.quote_name
    return (
        quote(SharedCounter._meta.db_table),
        *(quote(column(SharedCounter, name)) for name in ("key", "count", "expires")),
    )  # type: ignore[return-value]


def _moment(value: datetime, using: str) -> Any:
    return connections[using].ops.adapt_datetimefield_value(value)


def count(key: str, window: int, using: str) -> int:
    """Add one to the counter `key` (its window `window` seconds from its first count); the new value."""
    now = timezone.now()
    table, key_column, count_column, expires_column = _names(using)
    fresh, ends = _moment(now, using), _moment(now + timedelta(seconds=window), using)
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "mysql":
            # Names from the model, quoted by the backend; the values are parameters. (MySQL assigns
            # left to right: the expiry's IF still sees the old expiry.)
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, {count_column}, {expires_column}) VALUES (%s, 1, %s) "  # noqa: S608
                f"ON DUPLICATE KEY UPDATE {count_column} = LAST_INSERT_ID(IF({expires_column} <= %s, 1, "
                f"{count_column} + 1)), {expires_column} = IF({expires_column} <= %s, %s, {expires_column})",
                [key, ends, fresh, fresh, ends],
            )
            if cursor.rowcount == 1:  # inserted: the first count
                return 1
            cursor.execute("SELECT LAST_INSERT_ID()")
            return int(cursor.fetchone()[0])
        # SQLite: every expression of the SET sees the row as it was.
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count_column}, {expires_column}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT({key_column}) DO UPDATE SET "
            f"{count_column} = CASE WHEN {expires_column} <= %s THEN 1 ELSE {count_column} + 1 END, "
            f"{expires_column} = CASE WHEN {expires_column} <= %s THEN excluded.{expires_column} "
            f"ELSE {expires_column} END RETURNING {count_column}",
            [key, ends, fresh, fresh],
        )
        return int(cursor.fetchone()[0])


def value(key: str, using: str) -> int:
    """The counter's value now (0 when it is not counting)."""
    found = (
        SharedCounter.objects.using(using)
        .filter(key=key, expires__gt=timezone.now())
        .values_list("count", flat=True)
        .first()
    )
    return found or 0


def forget(keys: Sequence[str], using: str) -> None:
    SharedCounter.objects.using(using).filter(key__in=list(keys)).delete()


def discount(keys: Sequence[str], using: str) -> None:
    """Take one off each counter of `keys` that is counting."""
    SharedCounter.objects.using(using).filter(key__in=list(keys), count__gt=0, expires__gt=timezone.now()).update(
        count=F("count") - 1
    )


def extend(keys: Sequence[str], seconds: int, using: str) -> None:
    """Make the counters `keys` that are counting last `seconds` from now."""
    now = timezone.now()
    SharedCounter.objects.using(using).filter(key__in=list(keys), expires__gt=now).update(
        expires=now + timedelta(seconds=seconds)
    )
