"""The tables the shared cache falls back to while Redis is down (plumbing.failover_cache): on MySQL,
every node's. Their names are fixed (`pm_shared_cache`, `pm_shared_counter`): they were made by the
`workspaces` app's migrations, and moved here without touching the tables."""

from __future__ import annotations

from django.db import models


class SharedCacheEntry(models.Model):
    """A row of Django's DatabaseCache (settings.SHARED_CACHE_FALLBACK, on MySQL): what the nodes share
    while Redis is down (plumbing.failover_cache). Made by a migration rather than `createcachetable`,
    so `migrate` is all a deployment runs."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "pm_shared_cache"

    def __str__(self) -> str:
        return self.cache_key


class SharedCounter(models.Model):
    """A window counter (a login limit's count) while Redis is down, on MySQL: DatabaseCache keeps
    pickled values, which no statement can add to atomically, so the counters have this table of their
    own, counted by one upsert each (plumbing.counter_table)."""

    key = models.CharField(max_length=255, primary_key=True, db_column="counter_key")
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True, help_text="When the window ends: a count after it starts again.")

    class Meta:
        db_table = "pm_shared_counter"

    def __str__(self) -> str:
        return self.key
