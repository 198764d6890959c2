"""The per-process workspace cache: a hit costs no query; a change in this process clears it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from workspaces.middleware import forget_cached_workspaces
from workspaces.models import Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    forget_cached_workspaces()
    yield
    forget_cached_workspaces()


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


def test_an_unknown_name_is_cached_too_until_a_workspace_is_created(client: Client, db: None, settings: Any) -> None:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 503
    Workspace.objects.create(name="fresh")
    assert client.get("/sysfresh/en/neoclassic/login/login").status_code == 200
