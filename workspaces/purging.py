"""Deleting many rows without holding locks for long: what purgetokens, purgeaudit and the periodic
housekeeping (`workspaces.periodic`) share."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet

from workspaces.services import WorkspaceError


@dataclass(frozen=True)
class Pace:
    """How a purge goes: rows per batch (one transaction each), and the share of the time spent
    deleting (after a batch that took t seconds it rests t * (1 - duty) / duty, plus `pause`)."""

    batch_size: int = 500
    duty: float = 0.2
    pause: float = 0.0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= 100_000:
            raise WorkspaceError("--batch-size must be between 1 and 100000.")
        if not 0 < self.duty <= 1:
            raise WorkspaceError("--duty must be more than 0 and at most 1.")
        if self.pause < 0:
            raise WorkspaceError("--pause must not be negative.")


def purge(queryset: QuerySet[Any], pace: Pace, after_batch: Callable[[int], None] | None = None) -> int:
    """Delete what `queryset` selects, one short transaction per batch (no lock held for long),
    resting between batches as `pace` says; `after_batch(total so far)` after each. How many rows went.

    Batches walk the primary key upwards (each starts after the last key deleted), so the table is
    read once in all, however many batches it takes and whatever index the filter lacks."""
    total, after = 0, None
    model: type[Model] = queryset.model
    while True:
        began = time.monotonic()
        with transaction.atomic():
            batch = queryset if after is None else queryset.filter(pk__gt=after)
            ids = list(batch.order_by("pk").values_list("pk", flat=True)[: pace.batch_size])
            if not ids:
                return total
            model._default_manager.filter(pk__in=ids).delete()
        total, after = total + len(ids), ids[-1]
        if after_batch is not None:
            after_batch(total)
        rest = (time.monotonic() - began) * (1 - pace.duty) / pace.duty + pace.pause
        if rest > 0:
            time.sleep(rest)
