"""Window counters while Redis is down (plumbing.counter_table): one atomic upsert per count, so
concurrent failed logins each get a count of their own and a limit is never overshot."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from oauth_apps.services import RegisteredClient
from plumbing import counter_table
from plumbing.failover_cache import FailoverRedisCache
from plumbing.models import SharedCounter
from plumbing.window_counters import database_counters
from tests.oauth import password_grant
from workspaces import lockout
from workspaces.models import User


def counting_connection() -> str:
    """The connection the counters use in production (MySQL's own), or the default one (SQLite)."""
    return database_counters() or "default"


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """`work(n)` in `count` threads released together; their results."""
    barrier, results = threading.Barrier(count), []

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(number))
        finally:
            for connection in connections.all(initialized_only=True):
                connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_twenty_concurrent_counts_are_one_to_twenty() -> None:
    using = counting_connection()
    counted = at_once(20, lambda _: counter_table.count("pm:test:burst", 60, using))
    assert sorted(counted) == list(range(1, 21))
    assert counter_table.value("pm:test:burst", using) == 20


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_window_starts_at_the_first_count_and_again_once_it_ended() -> None:
    using = counting_connection()
    assert [counter_table.count("pm:test:window", 60, using) for _ in range(3)] == [1, 2, 3]
    SharedCounter.objects.using(using).filter(key="pm:test:window").update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    assert counter_table.value("pm:test:window", using) == 0
    assert counter_table.count("pm:test:window", 60, using) == 1
    expires = SharedCounter.objects.using(using).get(key="pm:test:window").expires
    assert timedelta(seconds=58) < expires - timezone.now() <= timedelta(seconds=60)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_discount_forget_and_extend() -> None:
    using = counting_connection()
    for _ in range(2):
        counter_table.count("pm:test:a", 60, using)
    counter_table.count("pm:test:b", 60, using)
    counter_table.discount(["pm:test:a", "pm:test:none"], using)
    counter_table.forget(["pm:test:b"], using)
    counter_table.extend(["pm:test:a"], 900, using)
    assert (counter_table.value("pm:test:a", using), counter_table.value("pm:test:b", using)) == (1, 0)
    assert not SharedCounter.objects.using(using).filter(key__in=["pm:test:b", "pm:test:none"]).exists()
    left = SharedCounter.objects.using(using).get(key="pm:test:a").expires - timezone.now()
    assert timedelta(seconds=890) < left <= timedelta(seconds=900)


@pytest.fixture
def redis_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis taken for down in every thread (each has its own cache object), as after a failed call."""
    monkeypatch.setattr(FailoverRedisCache, "is_down", property(lambda self: True))


@pytest.mark.skipif(database_counters() is None, reason="MySQL: the counters every node shares while Redis is down")
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_with_redis_down_twenty_concurrent_failures_check_at_most_nine_passwords(
    app: RegisteredClient, operator_user: User, redis_down: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One address may fail nine times a window: with Redis down, 20 at once got 12 checks through
    Django's DatabaseCache."""
    checked: list[int] = []
    verify = lockout.verify_password

    def counting(user: Any, password: str) -> Any:
        checked.append(1)
        return verify(user, password)

    monkeypatch.setattr(lockout, "verify_password", counting)
    answers = at_once(20, lambda _: password_grant(Client(), app, "johndoe", "wrong").json()["error_description"])
    assert len(answers) == 20
    assert len(checked) <= 9, answers
    assert answers.count("Too many failed logins from this address: try again in up to 15 minutes") >= 11
