"""Django's MySQL backend, with transactions opened by START TRANSACTION.

Django opens a transaction by turning autocommit off (SET autocommit=0) and, after COMMIT or
ROLLBACK, turns it back on (SET autocommit=1): three round trips around the statements of every
`transaction.atomic()` block. START TRANSACTION opens one with autocommit left on, and COMMIT or
ROLLBACK ends it, after which the session commits each statement again by itself: two. A refresh
grant's transaction was seven round trips; it is six. Nothing else changes: the same isolation
level, savepoints, and the driver still reports autocommit on between transactions.
"""

from __future__ import annotations

from django.db.backends.mysql import base


class DatabaseWrapper(base.DatabaseWrapper):  # type: ignore[misc]
    def _set_autocommit(self, autocommit: bool) -> None:
        with self.wrap_database_errors:
            if autocommit:
                # Ended by the COMMIT or ROLLBACK before this, unless autocommit was really off
                # (a new connection): the driver asks the server only then.
                self.connection.autocommit(True)
            elif self.connection.get_autocommit():
                with self.connection.cursor() as cursor:
                    cursor.execute("START TRANSACTION")
            # else: autocommit is really off already, every statement is in a transaction
