"""The per-process workspace cache: a hit costs no query; a change anywhere clears it at once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from plumbing import changes
from plumbing.bounded import BoundedMap
from workspaces import middleware
from workspaces.models import Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
# The workspace channel is one for the whole Redis server: another test process's workspace changes
# would clear this one's rows or land in its listener.
pytestmark = pytest.mark.serial


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Starts with no rows, and with this process subscribed to workspace changes (as a server is
    once its first request has started the subscription)."""
    assert middleware.subscription.listening() or middleware.subscription.ready.wait(5)
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
    monkeypatch.setattr(middleware, "_workspace_cache", BoundedMap(3))
    names = [f"ws{number}" for number in range(5)]
    for name in names:
        Workspace.objects.create(name=name)  # each save clears the cache: all made first
    for name in names:
        assert client.get(f"/{name}/oauth2/token").status_code == 200
    assert list(middleware._workspace_cache) == names[-3:]


def test_a_change_made_by_another_process_drops_the_rows_at_once(
    client: Client, workspace: Workspace, settings: Any
) -> None:
    """No TTL to wait out: the change is announced on a Redis channel this process listens to."""
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    assert client.get(LOGIN).status_code == 200
    assert "workflow" in middleware._workspace_cache
    # Another process deactivates it: its row changes, and its workspaces_changed() publishes.
    Workspace.objects.filter(pk=workspace.pk).update(is_active=False)
    assert client.get("/workflow/oauth2/token").status_code == 200  # this process still holds the row...
    changes.publish()
    deadline = time.monotonic() + 2
    while "workflow" in middleware._workspace_cache and time.monotonic() < deadline:
        time.sleep(0.005)
    assert client.get(LOGIN).status_code == 503  # ...until the message comes, milliseconds later


def test_a_saved_change_is_published_when_it_commits(
    workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    listener = redis.Redis.from_url(django_settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(changes.CHANNEL)
    listener.get_message(timeout=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workspace.lockout_threshold = 7
        workspace.save()
    assert listener.get_message(timeout=0.2) is None  # nothing before the commit
    for callback in callbacks:
        callback()
    message = listener.get_message(timeout=2)
    listener.close()
    assert message is not None and message["channel"] == changes.CHANNEL.encode()


def test_without_the_subscription_no_row_is_kept(
    client: Client, workspace: Workspace, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    settings.REDIS_URL = ""  # no Redis: nobody would hear a change, so nothing is kept
    for _ in range(2):
        with django_assert_num_queries(1):
            assert client.get("/workflow/oauth2/token").status_code == 200
