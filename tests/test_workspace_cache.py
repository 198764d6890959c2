"""The per-process workspace cache: a hit costs no query; a change anywhere clears it at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from workspaces import middleware
from workspaces.models import Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    middleware._workspace_cache.clear()
    yield
    middleware._workspace_cache.clear()


def test_a_cached_workspace_costs_no_query_and_a_save_clears_it(
    client: Client, workspace: Workspace, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    with django_assert_num_queries(1):
        assert client.get("/workflow/oauth2/token").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/workflow/oauth2/token").status_code == 200
    workspace.is_active = False
    workspace.save()
    assert client.get(LOGIN).status_code == 503


def test_an_unknown_name_is_never_cached(
    client: Client, db: None, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 503
    assert "fresh" not in middleware._workspace_cache
    Workspace.objects.create(name="fresh")
    assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 200


def test_the_cache_keeps_at_most_its_size_dropping_the_oldest(
    client: Client, db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    monkeypatch.setattr(middleware, "CACHED_WORKSPACES", 3)
    names = [f"ws{number}" for number in range(5)]
    for name in names:
        Workspace.objects.create(name=name)  # each save clears the cache: all made first
    for name in names:
        assert client.get(f"/{name}/oauth2/token").status_code == 200
    assert list(middleware._workspace_cache) == names[-3:]


def test_a_change_made_by_another_process_is_seen_at_the_next_request(
    client: Client, workspace: Workspace, settings: Any, django_assert_num_queries: Any
) -> None:
    """No TTL to wait out: the version in the shared cache (Redis) is compared on every request."""
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    assert client.get(LOGIN).status_code == 200
    # Another process deactivates it: its row changes, and its workspaces_changed() sets a new version.
    Workspace.objects.filter(pk=workspace.pk).update(is_active=False)
    assert client.get("/workflow/oauth2/token").status_code == 200  # this process still holds the row...
    cache.set(middleware.WORKSPACES_VERSION, "set by another process", timeout=None)
    assert client.get(LOGIN).status_code == 503  # ...until the version moves, at the very next request


def test_the_version_moves_when_a_saved_change_commits(
    workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    before = cache.get(middleware.WORKSPACES_VERSION)
    with django_capture_on_commit_callbacks(execute=True):
        workspace.lockout_threshold = 7
        workspace.save()
    assert cache.get(middleware.WORKSPACES_VERSION) not in (None, before)
