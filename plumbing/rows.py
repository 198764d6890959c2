"""Statements compiled once per process for the few queries every token request makes.

Building SQL is most of what the ORM costs on a hot path: for a one-row INSERT or a lookup by
exact values, Django assembles the same query afresh on every request, and that took more time
than the database did. The statements here are built once per (model, database) from the
models' own metadata, and they go through the very conversions the ORM uses (a field's
`pre_save()` and `get_db_prep_save()` on the way in; the backend's and the field's converters and
`Model.from_db()` on the way out), so a row written or read here is the row the ORM would have
written or read. No signals are sent: none of these models has receivers, and
`tests/test_rows.py` checks both directions against the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Field, Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


class Reader:
    """Turns a slice of a result row into an instance of `model` (its `fields`, in model order)."""

    def __init__(self, model: type[Model], table_alias: str, names: Sequence[str], using: str) -> None:
        connection = connections[using]
        wanted = {model._meta.get_field(name) for name in names}
        # In the model's own field order: Model.from_db() matches values to fields by position.
        fields: list[Any] = [field for field in model._meta.concrete_fields if field in wanted]
        quote = connection.ops.quote_name
        self.model, self.using, self.width = model, using, len(fields)
        self.columns = [f"{table_alias}.{quote(field.column)}" for field in fields]
        self.attnames = [field.attname for field in fields]
        self.converters: list[tuple[Col, list[Converter]]] = []
        for field in fields:
            selected = Col(table_alias, field)
            self.converters.append(
                (selected, connection.ops.get_db_converters(selected) + field.get_db_converters(connection))
            )

    def read(self, row: Sequence[Any], start: int) -> Model | None:
        """The instance in `row` from position `start`, or None for the NULLs of an outer join."""
        values = list(row[start : start + self.width])
        if values[0] is None:
            return None
        connection = connections[self.using]
        for index, (selected, converters) in enumerate(self.converters):
            for convert in converters:
                values[index] = convert(values[index], selected, connection)
        return self.model.from_db(self.using, self.attnames, values)


def fetch_one(sql: str, params: Sequence[Any], readers: Sequence[Reader], using: str = "default") -> list[Any] | None:
    """The first row `sql` gives, as one instance (or None, for an outer join's NULLs) per reader,
    the readers' columns following each other in the row; None when there is no row."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instances, position = [], 0
    for reader in readers:
        instances.append(reader.read(row, position))
        position += reader.width
    return instances


def column(model: type[Model], name: str) -> str:
    """The database column of `model`'s field `name`."""
    field: Any = model._meta.get_field(name)
    return str(field.column)


@cache
def _insert(model: type[Model], using: str) -> tuple[str, list[Field[Any, Any]]]:
    meta = model._meta
    if meta.parents or meta.auto_field is None:
        raise TypeError(f"{meta.label}: only models with an auto primary key and no parents")
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    quote = connections[using].ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Names from the model's metadata, quoted by the backend; the values are parameters.
    return f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})", fields  # noqa: S608


def insert(instance: Model, using: str = "default") -> None:
    """INSERT `instance` as `instance.save()` would for a new row, and set its primary key."""
    sql, fields = _insert(type(instance), using)
    connection = connections[using]
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    meta = instance._meta
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)  # type: ignore[union-attr]
    instance._state.adding = False
    instance._state.db = using


@cache
def _select(
    model: type[Model], lookups: tuple[str, ...], related: tuple[str, ...], using: str
) -> tuple[str, list[Reader], list[Field[Any, Any]]]:
    connection = connections[using]
    quote = connection.ops.quote_name
    readers = [Reader(model, "t", [field.name for field in model._meta.concrete_fields], using)]
    tables = [f"{quote(model._meta.db_table)} t"]
    for number, name in enumerate(related):
        foreign: Any = model._meta.get_field(name)
        target = foreign.related_model
        alias = f"r{number}"
        readers.append(Reader(target, alias, [field.name for field in target._meta.concrete_fields], using))
        tables.append(
            f"LEFT JOIN {quote(target._meta.db_table)} {alias} "
            f"ON {alias}.{quote(foreign.target_field.column)} = t.{quote(foreign.column)}"
        )
    fields: list[Any] = [model._meta.get_field(name) for name in lookups]
    where = " AND ".join(f"t.{quote(field.column)} = %s" for field in fields)
    columns = ", ".join(column for reader in readers for column in reader.columns)
    # Names from the models' metadata, quoted by the backend; the values are parameters.
    sql = f"SELECT {columns} FROM {' '.join(tables)} WHERE {where}"  # noqa: S608
    return f"{sql} {connection.ops.limit_offset_sql(0, 1)}", readers, fields


def first(model: type[M], using: str = "default", related: tuple[str, ...] = (), **exact: Any) -> M | None:
    """The first row with exactly these column values (attnames: `workspace_id=`, not `workspace=`),
    as `model.objects.select_related(*related).filter(**exact)[:1]` would give it; for unique
    lookups. `related` names foreign keys of `model` itself (one level)."""
    sql, readers, fields = _select(model, tuple(exact), related, using)
    connection = connections[using]
    values = [field.get_db_prep_value(value, connection) for field, value in zip(fields, exact.values(), strict=True)]
    instances = fetch_one(sql, values, readers, using)
    if instances is None:
        return None
    found, *joined = instances
    assert isinstance(found, model)
    for name, instance in zip(related, joined, strict=True):
        model._meta.get_field(name).set_cached_value(found, instance)  # type: ignore[union-attr]
    return found
