"""The bearer lookup, as one statement compiled once per process.

Every API request looks up its access token with the user it acts for (its own user, or for a
client-credentials token its client's owner), that user's role and the web session it may belong
to: one indexed query. Through the ORM, Django compiled that four-table
`select_related` query afresh on every request, which cost a third of the whole request. Here the
statement is built once from the models' own metadata, and each row is turned into model instances
with the same database converters and `Model.from_db()` the ORM itself uses, so the objects are the
ones the ORM would have built (a column left out is loaded on first access, as a deferred field).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Model
from django.db.models.expressions import Col

from oauth_apps.identifiers import checksum
from oauth_apps.models import AccessToken, Application, UserSessionToken
from workspaces.models import Role, User

# (model, table alias, fields): what is read of each table, in this order.
ACCESS = ["id", "workspace", "user", "application", "client_id", "user_uid", "expires", "scope"]
USER = ["id", "uid", "workspace", "username", "first_name", "last_name", "email", "status", "due_date", "role"]
ROLE = ["id", "workspace", "code", "status", "permissions"]
SESSION = ["id", "access_token", "session_key"]
PARTS: Sequence[tuple[type[Model], str, list[str]]] = [
    (AccessToken, "t", ACCESS),
    (User, "u", USER),
    (Role, "r", ROLE),
    (UserSessionToken, "s", SESSION),
]

Converter = Callable[[Any, Any, Any], Any]


@cache
def statement(alias: str) -> tuple[str, list[tuple[type[Model], list[str], list[tuple[Col, list[Converter]]]]]]:
    """The SQL and, per table, its field names and the converters of each column (once per database)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns, layout = [], []
    for model, table_alias, names in PARTS:
        # In the model's own field order: Model.from_db() matches values to fields by position.
        wanted = {model._meta.get_field(name) for name in names}
        fields: list[Any] = [field for field in model._meta.concrete_fields if field in wanted]
        converted = []
        for field in fields:
            selected = Col(table_alias, field)
            columns.append(f"{table_alias}.{quote(field.column)}")
            converted.append(
                (selected, connection.ops.get_db_converters(selected) + field.get_db_converters(connection))
            )
        layout.append((model, [field.attname for field in fields], converted))
    models: list[type[Model]] = [*(part[0] for part in PARTS), Application]
    token, user, role, session, client = (model._meta for model in models)
    # The user a token acts for: its own, or (client credentials: no user) its client's owner.
    acting = f"COALESCE(t.{quote(column(AccessToken, 'user'))}, a.{quote(column(Application, 'user'))})"
    tables = " ".join([
        f"{quote(token.db_table)} t",
        f"JOIN {quote(client.db_table)} a ON a.{quote('id')} = t.{quote(column(AccessToken, 'application'))}",
        f"LEFT JOIN {quote(user.db_table)} u ON u.{quote('id')} = {acting}",
        f"LEFT JOIN {quote(role.db_table)} r ON r.{quote('id')} = u.{quote(column(User, 'role'))}",
        f"LEFT JOIN {quote(session.db_table)} s"
        f" ON s.{quote(column(UserSessionToken, 'access_token'))} = t.{quote('id')}",
    ])  # fmt: skip
    where = f"t.{quote(column(AccessToken, 'token_checksum'))} = %s"
    # Names from the models' metadata, quoted by the backend; the one value is a parameter.
    sql = f"SELECT {', '.join(columns)} FROM {tables} WHERE {where}"  # noqa: S608
    return f"{sql} {connection.ops.limit_offset_sql(0, 1)}", layout


def column(model: type[Model], name: str) -> str:
    field: Any = model._meta.get_field(name)
    return str(field.column)


class Presented(NamedTuple):
    access: AccessToken
    acting_user: User | None  # None only if a client-credentials token's client has no owner


def find_access_token(token: str, using: str = "default") -> Presented | None:
    """The access token presented as `token` and the user it acts for, or None.

    `access` is what `AccessToken.objects.presented(token).select_related("user__role",
    "web_session")` would give; `acting_user` (with its role) is `access.user`, or for a
    client-credentials token the owner of its client."""
    sql, layout = statement(using)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [checksum(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Model | None] = []
    position = 0
    for model, attnames, converted in layout:
        values = list(row[position : position + len(attnames)])
        position += len(attnames)
        if values[0] is None:  # no such row on the outer join
            instances.append(None)
            continue
        for index, (selected, converters) in enumerate(converted):
            for convert in converters:
                values[index] = convert(values[index], selected, connection)
        instances.append(model.from_db(using, attnames, values))
    access, user, role, link = instances
    assert isinstance(access, AccessToken) and (user is None or isinstance(user, User))
    assert role is None or isinstance(role, Role)
    if user is not None:
        user.role = role
    access.user = user if access.user_id is not None else None  # type: ignore[assignment]
    # The reverse one-to-one's cache, as select_related leaves it (None: no web session).
    AccessToken.web_session.related.set_cached_value(access, link)  # type: ignore[attr-defined]
    return Presented(access, user)
