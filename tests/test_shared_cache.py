"""The shared cache (plumbing.failover_cache, plumbing.window_counters) over Redis: one client per connection pool, and
counts that survive Redis dropping its connections."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

from plumbing.failover_cache import FailoverRedisCache
from plumbing.models import SharedCounter
from plumbing.window_counters import (
    check_and_count,
    count_each,
    count_in_window,
    current_count,
    database_counters,
    forget_and_discount,
)
from tests.clock import let_pass

# These count Redis's own command statistics and drop its connections, which every test process shares.
pytestmark = pytest.mark.serial


@contextmanager
def redis_down(*keys: str) -> Iterator[BaseCache]:
    """Redis taken for down (as after a failed call); the fallback cache, its `keys` deleted after."""
    cache = caches["default"]
    assert isinstance(cache, FailoverRedisCache)
    fallback = caches[cache.fallback_alias]
    cache.down_until = time.monotonic() + 60
    try:
        yield fallback
    finally:
        cache.down_until = 0.0
        fallback.delete_many(list(keys))


def test_every_operation_shares_one_redis_client_per_pool() -> None:
    cache = caches["default"]
    assert isinstance(cache, FailoverRedisCache)
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    assert cache._cache.get_client(write=False) is client  # type: ignore[attr-defined]
    assert cache._cache.get_client("some key", write=True) is client  # type: ignore[attr-defined]


def test_a_shared_client_reconnects_after_redis_drops_its_connections() -> None:
    cache = caches["default"]
    cache.set("pm-test-count", 1, 60)
    assert cache.incr("pm-test-count") == 2
    with redis.Redis.from_url(settings.REDIS_URL) as admin:
        assert admin.client_kill_filter(_type="normal", skipme=True) >= 1
    assert not cache.is_down  # type: ignore[attr-defined]
    assert cache.incr("pm-test-count") == 3
    assert not cache.is_down  # type: ignore[attr-defined]


def test_a_window_counter_counts_in_one_round_trip_and_starts_afresh_when_its_window_ends() -> None:
    cache = caches["default"]
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    before = client.info("commandstats").get("cmdstat_exec", {}).get("calls", 0)
    assert [count_in_window("pm-test-window", 1) for _ in range(3)] == [1, 2, 3]
    assert client.info("commandstats")["cmdstat_exec"]["calls"] == before + 3  # one MULTI/EXEC each
    assert cache.get("pm-test-window") == 3  # Django's cache reads what the pipeline wrote
    assert 0 < client.ttl(cache.make_and_validate_key("pm-test-window")) <= 1
    let_pass(1.001)
    assert count_in_window("pm-test-window", 1) == 1


# On MySQL the counters fall back to their table (plumbing.counter_table), through a connection of
# their own; on SQLite to each process's memory.
@pytest.mark.django_db(databases="__all__")
def test_while_redis_is_down_the_counter_counts_in_the_fallback() -> None:
    with redis_down("pm-test-fallback"):
        assert [count_in_window("pm-test-fallback", 60) for _ in range(3)] == [1, 2, 3]
        assert current_count("pm-test-fallback") == 3
        using = database_counters()
        assert SharedCounter.objects.using(using or "default").filter(key="pm-test-fallback").exists() == bool(using)
    assert caches["default"].get("pm-test-fallback") is None  # Redis itself never saw it


def test_a_success_forgets_some_counters_and_discounts_the_others_only_if_they_are_counting() -> None:
    cache = caches["default"]
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for _ in range(3):
        count_each(["pm-test-user", "pm-test-user-failed", "pm-test-address", "pm-test-other"], 60)
    before = client.info("commandstats").get("cmdstat_eval", {}).get("calls", 0)
    forget_and_discount(["pm-test-user", "pm-test-user-failed"], ["pm-test-address", "pm-test-other"])
    assert client.info("commandstats")["cmdstat_eval"]["calls"] == before + 1  # one round trip
    assert cache.get("pm-test-user") is None and cache.get("pm-test-user-failed") is None
    assert cache.get("pm-test-address") == 2 and cache.get("pm-test-other") == 2
    forget_and_discount([], ["pm-test-nothing"])
    assert not cache.has_key("pm-test-nothing")  # no counter made, least of all one without expiry


@pytest.mark.django_db(databases="__all__")
def test_while_redis_is_down_a_success_is_forgiven_in_the_fallback() -> None:
    with redis_down("pm-test-user", "pm-test-address"):
        count_in_window("pm-test-user", 60)
        assert count_each(["pm-test-address", "pm-test-address"], 60) == [1, 2]
        forget_and_discount(["pm-test-user"], ["pm-test-address", "pm-test-nothing"])
        assert current_count("pm-test-user") == 0 and current_count("pm-test-address") == 1
        assert current_count("pm-test-nothing") == 0
        assert not SharedCounter.objects.using(database_counters() or "default").filter(key="pm-test-nothing").exists()


def check_and_count_three_times(prefix: str) -> list[tuple[str | None, list[int]]]:
    """An address counted to its limit of 2 (then past it), with a username behind it."""
    flags = [f"{prefix}-blocked", f"{prefix}-locked"]
    counters = [(f"{prefix}-address", 2), (f"{prefix}-user", 5)]
    return [check_and_count(flags, counters, 60) for _ in range(3)]


CHECKED_THREE_TIMES = [(None, [1, 1]), (None, [2, 2]), (None, [3])]  # the third stops at the address


def test_flags_and_counters_are_checked_in_one_round_trip() -> None:
    cache = caches["default"]
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    before = client.info("commandstats").get("cmdstat_eval", {}).get("calls", 0)
    assert check_and_count_three_times("pm-test-cc") == CHECKED_THREE_TIMES
    assert client.info("commandstats")["cmdstat_eval"]["calls"] == before + 3
    assert cache.get("pm-test-cc-address") == 3 and cache.get("pm-test-cc-user") == 2
    assert 0 < client.ttl(cache.make_and_validate_key("pm-test-cc-user")) <= 60
    cache.set("pm-test-cc-locked", True, 60)
    counters = [("pm-test-cc-address", 9), ("pm-test-cc-user", 9)]
    assert check_and_count(["pm-test-cc-blocked", "pm-test-cc-locked"], counters, 60) == ("pm-test-cc-locked", [])
    assert cache.get("pm-test-cc-address") == 3  # a set flag counts nothing
    cache.set("pm-test-cc-blocked", True, 60)
    assert check_and_count(["pm-test-cc-blocked", "pm-test-cc-locked"], counters, 60)[0] == "pm-test-cc-blocked"


# The flags fall back to the database cache (MySQL) or each process's memory (SQLite).
@pytest.mark.django_db(databases="__all__")
def test_while_redis_is_down_flags_and_counters_are_checked_in_the_fallback_cache() -> None:
    with redis_down(*(f"pm-test-fb-{name}" for name in ("address", "user", "locked"))) as fallback:
        assert check_and_count_three_times("pm-test-fb") == CHECKED_THREE_TIMES
        fallback.set("pm-test-fb-locked", True, 60)
        counters = [("pm-test-fb-address", 9)]
        assert check_and_count(["pm-test-fb-blocked", "pm-test-fb-locked"], counters, 60) == ("pm-test-fb-locked", [])
    assert caches["default"].get("pm-test-fb-address") is None  # Redis itself never saw it
