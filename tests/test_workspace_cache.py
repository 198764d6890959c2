"""The per-process workspace cache (workspaces.middleware.WORKSPACES, plumbing.row_cache): a kept
workspace costs no query, and a committed change of a workspace, by whatever means, reaches the very
next request in this process or any other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from plumbing.bounded import BoundedMap
from workspaces.middleware import WORKSPACES, WorkspaceRoutingMiddleware
from workspaces.models import Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
TOKEN = "/workflow/oauth2/token"
# Real commits: a change renews the version when its transaction commits (never, inside a test's transaction).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def kept_for_a_minute(settings: Any) -> Iterator[None]:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    WORKSPACES.entries.clear()
    yield
    WORKSPACES.entries.clear()


def test_a_kept_workspace_costs_no_query(client: Client, workspace: Workspace, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        assert client.get(TOKEN).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(TOKEN).status_code == 200


@pytest.mark.parametrize("how", ["save", "bulk update", "raw SQL"])
def test_a_committed_change_reaches_the_next_request(client: Client, workspace: Workspace, how: str) -> None:
    """No signal and no announcement: a bulk update or raw SQL sent through Django renews the version as
    a save does (plumbing.table_versions sees every statement)."""
    assert client.get(LOGIN).status_code == 200
    assert "workflow" in WORKSPACES.entries
    if how == "save":
        workspace.is_active = False
        workspace.save()
    elif how == "bulk update":
        Workspace.objects.filter(pk=workspace.pk).update(is_active=False)
    else:
        with connection.cursor() as cursor:
            table, column = Workspace._meta.db_table, Workspace._meta.get_field("is_active").column
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [False, workspace.pk])  # noqa: S608
    assert client.get(LOGIN).status_code == 503


def test_a_deleted_workspace_is_gone_at_once(client: Client, db: None) -> None:
    brief = Workspace.objects.create(name="brief")
    assert client.get("/brief/oauth2/token").status_code == 200
    assert "brief" in WORKSPACES.entries
    Workspace.objects.filter(pk=brief.pk).delete()
    assert client.get("/brief/oauth2/token").status_code == 503


def test_an_unknown_name_is_never_kept(client: Client, db: None, django_assert_num_queries: Any) -> None:
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 503
    assert "fresh" not in WORKSPACES.entries
    Workspace.objects.create(name="fresh")  # an INSERT renews nothing, and needs not
    assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 200


def test_the_cache_keeps_at_most_its_size_dropping_the_oldest(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WORKSPACES, "entries", BoundedMap(3))
    names = [f"ws{number}" for number in range(5)]
    for name in names:
        Workspace.objects.create(name=name)
    for name in names:
        assert client.get(f"/{name}/oauth2/token").status_code == 200
    assert list(WORKSPACES.entries) == names[-3:]


def test_a_caller_gets_a_copy_it_may_change(workspace: Workspace) -> None:
    first = WorkspaceRoutingMiddleware.find_workspace("workflow")
    assert first is not None
    first.default_scope = "changed by a caller"
    second = WorkspaceRoutingMiddleware.find_workspace("workflow")
    assert second is not None and second is not first and second.default_scope != "changed by a caller"


def test_without_redis_nothing_is_kept(
    client: Client, workspace: Workspace, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["fallback"]}  # no version to read
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get(TOKEN).status_code == 200
    assert "workflow" not in WORKSPACES.entries
