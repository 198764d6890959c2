"""pmsite.mysql: a transaction is START TRANSACTION ... COMMIT (two round trips, not Django's three),
and it still commits, rolls back and leaves every later statement committed by itself."""

from __future__ import annotations

import pytest
from django.db import connection, connections, transaction

from workspaces.models import Workspace

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "shared_cache"]),
    pytest.mark.skipif(connection.vendor != "mysql", reason="the MySQL backend only"),
]


def statements_sent() -> int:
    """How many statements this session has sent the server, this one included."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Questions'")
        return int(cursor.fetchone()[1])


def seen_by_another_connection(name: str) -> bool:
    """Whether a committed row is there, asked on a connection of its own."""
    with connections["shared_cache"].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Workspace._meta.db_table} WHERE name = %s", [name])  # noqa: S608
        return bool(cursor.fetchone()[0])


def test_a_transaction_costs_two_round_trips_around_its_statements() -> None:
    Workspace.objects.create(name="before")
    before = statements_sent()
    with transaction.atomic():
        Workspace.objects.filter(name="before").update(name="committed")
    assert statements_sent() - before == 4  # START TRANSACTION, UPDATE, COMMIT and this SHOW STATUS
    assert connection.connection.get_autocommit() and seen_by_another_connection("committed")


def test_a_rolled_back_transaction_leaves_nothing_and_autocommit_on() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        Workspace.objects.create(name="rolled-back")
        with transaction.atomic():  # a savepoint inside works as before
            Workspace.objects.create(name="inner")
        raise RuntimeError("roll back")
    assert not Workspace.objects.filter(name__in=["rolled-back", "inner"]).exists()
    Workspace.objects.create(name="after")  # outside a transaction: committed by itself
    assert seen_by_another_connection("after")


def test_a_savepoint_rolls_back_alone() -> None:
    with transaction.atomic():
        Workspace.objects.create(name="kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            Workspace.objects.create(name="dropped")
            raise RuntimeError("roll the savepoint back")
    assert seen_by_another_connection("kept") and not seen_by_another_connection("dropped")
