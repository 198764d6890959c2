"""The refresh-token claim as two statements compiled once per process.

A refresh reads the presented token (with its user and the user's role) and then marks it used
with one conditional UPDATE: of two concurrent refreshes with the same token exactly one UPDATE
matches the row, so exactly one wins. Through the ORM both statements were built afresh on every
refresh, which cost more than the database did; see `plumbing.rows` for how the rows read here
are the ones the ORM would have built.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db import connections

from oauth_apps.bearer import ROLE, USER
from oauth_apps.identifiers import checksum
from oauth_apps.models import Application, RefreshToken
from plumbing.rows import Reader, column, fetch_one
from workspaces.models import Role, User, Workspace


@cache
def _lookup(using: str) -> tuple[str, list[Reader]]:
    quote = connections[using].ops.quote_name
    readers = [
        Reader(RefreshToken, "t", [field.name for field in RefreshToken._meta.concrete_fields], using),
        Reader(User, "u", USER, using),
        Reader(Role, "r", ROLE, using),
    ]
    tables = " ".join([
        f"{quote(RefreshToken._meta.db_table)} t",
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.{quote(column(RefreshToken, 'user'))}",
        f"LEFT JOIN {quote(Role._meta.db_table)} r ON r.{quote('id')} = u.{quote(column(User, 'role'))}",
    ])  # fmt: skip
    where = " AND ".join(
        f"t.{quote(column(RefreshToken, name))} = %s" for name in ("token_checksum", "workspace", "application")
    )
    columns = ", ".join(name for reader in readers for name in reader.columns)
    # Names from the models' metadata, quoted by the backend; the values are parameters.
    sql = f"SELECT {columns} FROM {tables} WHERE {where}"  # noqa: S608
    return f"{sql} {connections[using].ops.limit_offset_sql(0, 1)}", readers


def find_refresh_token(
    workspace: Workspace, client: Application, token: str, using: str = "default"
) -> RefreshToken | None:
    """The refresh token presented as `token` to `client` of `workspace`, with `user` and
    `user.role` loaded, or None."""
    sql, readers = _lookup(using)
    instances = fetch_one(sql, [checksum(token), workspace.pk, client.pk], readers, using)
    if instances is None:
        return None
    refresh, user, role = instances
    assert isinstance(refresh, RefreshToken) and isinstance(user, User) and (role is None or isinstance(role, Role))
    user.role = role
    refresh.user = user
    return refresh


@cache
def _claim(using: str) -> str:
    quote = connections[using].ops.quote_name
    revoked, updated, expires = (quote(column(RefreshToken, name)) for name in ("revoked", "updated", "expires"))
    # Names from the model's metadata, quoted by the backend; the values are parameters. The WHERE is
    # models.usable_refresh in SQL (tests/test_refresh_grant.py races two claims on it).
    return (
        f"UPDATE {quote(RefreshToken._meta.db_table)} SET {revoked} = %s, {updated} = %s "  # noqa: S608
        f"WHERE {quote('id')} = %s AND {revoked} IS NULL AND ({expires} IS NULL OR {expires} > %s)"
    )


def mark_used(refresh: RefreshToken, now: datetime, using: str = "default") -> bool:
    """Mark `refresh` used at `now` if it is still live there; False when another request got it
    first (or it has expired or been revoked since it was read)."""
    connection = connections[using]
    stamp = RefreshToken._meta.get_field("revoked").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(_claim(using), [stamp, stamp, refresh.pk, stamp])
        claimed = cursor.rowcount == 1
    if claimed:
        refresh.revoked = refresh.updated = now
    return claimed
