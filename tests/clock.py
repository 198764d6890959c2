"""Time moved forward instead of waited for.

The login limits' windows and locks are Redis expiries, counted by the Redis server's own clock,
which no test can set. What a wait of `seconds` does to them is known exactly, though: every key's
time to live is that much shorter, and a key whose time ran out is gone. `let_pass` does that to
this test process's Redis database (tests/workers.py), so a 15-minute lock is tested at its real
length in milliseconds.
"""

from __future__ import annotations

import redis
from django.conf import settings


def let_pass(seconds: float) -> None:
    """`seconds` go by for every key of this process's Redis database."""
    elapsed = round(seconds * 1000)
    with redis.Redis.from_url(settings.REDIS_URL) as client:
        for key in client.scan_iter(count=1000):
            left = client.pttl(key)
            if left < 0:  # -1: no expiry; -2: gone meanwhile
                continue
            if left > elapsed:
                client.pexpire(key, left - elapsed)
            else:
                client.delete(key)
