"""The shared cache (workspaces.sharedcache) over Redis: one client per connection pool, and
counts that survive Redis dropping its connections."""

from __future__ import annotations

import redis
from django.conf import settings
from django.core.cache import caches

from workspaces.sharedcache import FailoverRedisCache


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
