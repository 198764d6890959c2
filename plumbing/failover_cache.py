"""The cache every worker and node shares: Redis, and the database while Redis is down.

`FailoverRedisCache` is Django's RedisCache with short socket timeouts; when Redis does not answer,
the operation goes to the `fallback` cache instead (on MySQL, Django's DatabaseCache on
`SharedCacheEntry`'s table, which every node shares too, written through a connection of its own
so that a request's rollback cannot undo a count), a warning is logged, and Redis is tried again
after RETRY_SECONDS. `/ready` says "degraded" meanwhile. On SQLite (one machine, the demo) the
fallback is each process's memory. Besides Django's cache API it answers, in one round trip each,
what the window counters (`plumbing.window_counters`) and the shared versions
(`plumbing.shared_versions`) ask of Redis.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from plumbing.metrics import CACHE_FALLBACKS

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client builds a new `redis.Redis` for every operation, and building
    one fills its table of response callbacks each time (what that cost a login: docs/performance.md).
    A `redis.Redis` over a connection pool is safe to share between threads, so one per pool is kept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}  # connection pool -> its client

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class FailoverRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        self.fallback_alias = options.pop("FALLBACK", "fallback")
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.down_until = 0.0
        self.version_keys: dict[str, str] = {}  # shared version name -> its Redis key (`version_key`)

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def _went_down(self, error: Exception) -> None:
        log.warning("Redis is not answering (%s): shared counters use the database for %.0f s", error, RETRY_SECONDS)
        self.down_until = time.monotonic() + RETRY_SECONDS

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.is_down:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except REDIS_DOWN as error:
                self._went_down(error)
            else:
                return result
        CACHE_FALLBACKS.inc()
        return getattr(caches[self.fallback_alias], name)(*args, **kwargs)

    # The first ARGV[1] KEYS are deleted; the others are decremented only if they exist (DECR would
    # create one, with no expiry).
    FORGET_AND_DISCOUNT = """
local forgotten = tonumber(ARGV[1])
for i = 1, forgotten do redis.call('DEL', KEYS[i]) end
for i = forgotten + 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
return 1
"""

    def forget_and_discount(self, forgotten: Sequence[str], discounted: Sequence[str]) -> bool:
        """`forget_and_discount()` as one Lua script; False (nothing done) while Redis is down."""
        if self.is_down:
            return False
        keys = [self.make_and_validate_key(key) for key in [*forgotten, *discounted]]
        try:
            client = self._cache.get_client(keys[0], write=True)  # type: ignore[attr-defined]
            client.eval(self.FORGET_AND_DISCOUNT, len(keys), *keys, len(forgotten))
        except REDIS_DOWN as error:
            self._went_down(error)
            return False
        return True

    # KEYS: the flags, then the counters; ARGV: how many flags, the window, each counter's limit.
    CHECK_AND_COUNT = """
local flags, window = tonumber(ARGV[1]), ARGV[2]
for i = 1, flags do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {i} end
end
local counts = {0}
for i = flags + 1, #KEYS do
  redis.call('SET', KEYS[i], 0, 'EX', window, 'NX')
  local counted = redis.call('INCR', KEYS[i])
  counts[#counts + 1] = counted
  if counted > tonumber(ARGV[i - flags + 2]) then break end
end
return counts
"""

    def check_and_count(
        self, flags: list[str], counters: list[tuple[str, int]], window: int
    ) -> tuple[str | None, list[int]] | None:
        """`check_and_count()` as one Lua script; None (nothing done) while Redis is down."""
        if self.is_down:
            return None
        keys = [self.make_and_validate_key(key) for key in [*flags, *(key for key, _ in counters)]]
        limits = [limit for _, limit in counters]
        try:
            client = self._cache.get_client(keys[0], write=True)  # type: ignore[attr-defined]
            answer = client.eval(self.CHECK_AND_COUNT, len(keys), *keys, len(flags), window, *limits)
        except REDIS_DOWN as error:
            self._went_down(error)
            return None
        if answer[0]:
            return flags[int(answer[0]) - 1], []
        return None, [int(counted) for counted in answer[1:]]

    def count_in_window(self, key: str, window: int) -> int | None:
        """`count_in_window()` in one round trip: SET NX EX and INCR in one MULTI/EXEC, so the
        window starts and the count rises together. None while Redis is down."""
        if self.is_down:
            return None
        redis_key = self.make_and_validate_key(key)
        try:
            pipeline = self._cache.get_client(redis_key, write=True).pipeline()  # type: ignore[attr-defined]
            pipeline.set(redis_key, 0, ex=window, nx=True)
            pipeline.incr(redis_key)
            _, counted = pipeline.execute()
        except REDIS_DOWN as error:
            self._went_down(error)
            return None
        return int(counted)

    def shared_versions(self, keys: Sequence[str]) -> list[bytes] | None:
        """The shared versions `keys`, in one round trip (a key without one is given a random first
        value), or None while Redis is down. Random values rather than a counter: a Redis that
        restarts empty cannot hand out a value it gave before (a counter would start again at 1)."""
        if self.is_down:
            return None
        redis_keys = [self.version_key(key) for key in keys]
        try:
            client = self._cache.get_client(redis_keys[0], write=True)  # type: ignore[attr-defined]
            values = client.mget(redis_keys)
            if None in values:
                for redis_key, value in zip(redis_keys, values, strict=True):
                    if value is None:
                        client.set(redis_key, secrets.token_hex(8), nx=True)
                values = client.mget(redis_keys)
        except REDIS_DOWN as error:
            self._went_down(error)
            return None
        return values if all(isinstance(value, bytes) for value in values) else None

    def version_key(self, key: str) -> str:
        """The Redis key of the shared version `key`: a handful of fixed names, made and checked once
        (Django's key check walks every character, on every request otherwise)."""
        made = self.version_keys.get(key)
        if made is None:
            made = self.version_keys[key] = self.make_and_validate_key(key)
        return made

    def new_shared_version(self, key: str) -> bool:
        """Give the shared version `key` a new random value; False while Redis is down."""
        redis_key = self.version_key(key)
        try:
            self._cache.get_client(redis_key, write=True).set(redis_key, secrets.token_hex(8))  # type: ignore[attr-defined]
        except REDIS_DOWN as error:
            self._went_down(error)
            return False
        return True

    def ping(self) -> bool:
        """Whether Redis answers now (and, if it does, that it is used again)."""
        try:
            self._cache.get_client(write=True).ping()  # type: ignore[attr-defined]
        except REDIS_DOWN:
            self.down_until = time.monotonic() + RETRY_SECONDS
            return False
        self.down_until = 0.0
        return True


def _delegate(name: str) -> Callable[..., Any]:
    def method(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        return self._either(name, *args, **kwargs)

    method.__name__ = name
    return method


DELEGATED = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")
for _name in DELEGATED:
    setattr(FailoverRedisCache, _name, _delegate(_name))


class SharedCacheRouter:
    """Django's DatabaseCache (app label "django_cache") reads and writes through the "shared_cache"
    connection, outside the request's transaction; its table is made on "default" by migration."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return "shared_cache" if model._meta.app_label == "django_cache" else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == "shared_cache" else None


def redis_status(cache: BaseCache) -> str | None:
    """For /ready: None without Redis, "ok", or what happens while it is down."""
    if not isinstance(cache, FailoverRedisCache):
        return None
    return "ok" if cache.ping() else "down: shared counters fall back to the database (MySQL) or to each process"
