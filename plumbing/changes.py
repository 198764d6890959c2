"""Announcing workspace changes to every process of every node, through a Redis channel.

Each server process keeps the workspace rows it reads (workspaces.middleware). A saved or deleted
workspace publishes on CHANNEL once its transaction commits; every process subscribes from a thread
of its own and drops its rows when a message comes, within the milliseconds Redis takes to deliver
it. A request pays nothing for this. A process keeps rows only while its subscription is up: without
Redis, while Redis is down, or before the subscription is confirmed, every request reads the row
from the database. (A publish that fails while the subscribers still hear Redis is logged; the rows
then live at most PM_WORKSPACE_CACHE_SECONDS.)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

log = logging.getLogger(__name__)
CHANNEL = "pm:workspaces:changed"
RECONNECT_SECONDS = 1.0
POLL_SECONDS = 1.0


class Subscription:
    """One process's subscription; `listening()` starts it (again after a fork or a failure)."""

    def __init__(self, forget: Callable[[], None]) -> None:
        self.forget = forget
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def listening(self) -> bool:
        """Whether this process hears every change now (and may therefore keep rows)."""
        if not settings.REDIS_URL:
            return False
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            with self.lock:
                if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                    self.ready.clear()
                    self.pid = os.getpid()
                    self.thread = threading.Thread(target=self.run, name="pm-workspace-changes", daemon=True)
                    self.thread.start()
        return self.ready.is_set()

    def run(self) -> None:
        while True:
            try:
                self.listen()
            except (redis.RedisError, OSError) as error:
                log.warning(
                    "workspace changes: Redis subscription lost (%s); reading workspaces from the database", error
                )
            finally:
                self.ready.clear()
                self.forget()
            time.sleep(RECONNECT_SECONDS)

    def listen(self) -> None:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=5, health_check_interval=2
        )
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(CHANNEL)
            confirmed = pubsub.get_message(timeout=5)
            if not confirmed or confirmed.get("type") != "subscribe":
                raise redis.ConnectionError("no subscription confirmation")
            self.forget()  # what was read before the subscription may be stale
            self.ready.set()
            while True:
                message = pubsub.get_message(timeout=POLL_SECONDS)  # pings every 2 s: a dead link raises
                if message is not None and message.get("type") == "message":
                    self.forget()
        finally:
            pubsub.close()
            client.close()


def publish() -> None:
    """Tell every process (after the change has committed)."""
    if not settings.REDIS_URL:
        return
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1)
        client.publish(CHANNEL, "changed")
        client.close()
    except (redis.RedisError, OSError) as error:
        # The subscribers use the same Redis: if it is down they are not listening, and read rows fresh.
        log.warning("workspace changes: could not publish (%s)", error)
