"""Housekeeping on a schedule: `manage.py periodic` runs every registered task that is due.

The app that owns a job registers it, in its AppConfig.ready(): a name, how often it is due, and a
function that does the work and returns what it did (a small dict). Every run holds a lease on the
task's row (`PeriodicTask`), taken by one conditional UPDATE, so cron may start `manage.py periodic`
on every node at the same moment: each task runs on one of them, the others say it is running
elsewhere and go on to the next task. A run renews its lease as it works (`Run.still_working`); a
node that dies mid-run leaves a lease that ends LEASE later, and the task is due again then.

A task that fails is recorded (its last result holds the error) and the others still run; the
command then exits with an error. Later scheduled work (directory sync, key rotation, deliveries)
registers here too.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from workspaces.models import PeriodicTask

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Task:
    name: str
    every: timedelta
    description: str
    work: Callable[[Run], dict[str, Any]]


_tasks: dict[str, Task] = {}


def register(name: str, every: timedelta, description: str) -> Callable[[Callable[[Run], dict[str, Any]]], Any]:
    """Decorator: `work(run)` is the task `name`, due `every` so often."""

    def adding(work: Callable[[Run], dict[str, Any]]) -> Callable[[Run], dict[str, Any]]:
        _tasks[name] = Task(name, every, description, work)
        return work

    return adding


def tasks() -> list[Task]:
    return sorted(_tasks.values(), key=lambda task: task.name)


def holder() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


class Run:
    """A run of one task, holding its lease."""

    def __init__(self, task: Task) -> None:
        self.task, self.holder = task, holder()

    def still_working(self) -> None:
        """Renew the lease (a long task calls this between its steps)."""
        PeriodicTask.objects.filter(name=self.task.name, leased_by=self.holder).update(
            leased_until=timezone.now() + LEASE
        )


@dataclass(frozen=True)
class Outcome:
    task: str
    state: str  # "done", "failed", "not due", "running elsewhere"
    result: dict[str, Any]


def run_due(names: list[str] | None = None, *, force: bool = False) -> list[Outcome]:
    """Run the tasks named (every task, by default) that are due (all of them with `force`), one
    after another; what became of each."""
    chosen = tasks() if not names else [_tasks[name] for name in names]
    return [run_one(task, force=force) for task in chosen]


def run_one(task: Task, *, force: bool = False) -> Outcome:
    now = timezone.now()
    row = _row(task.name)
    if not force and row.last_finished is not None and row.last_finished + task.every > now:
        return Outcome(task.name, "not due", {})
    run = Run(task)
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    taken = PeriodicTask.objects.filter(free, name=task.name).update(
        leased_until=now + LEASE, leased_by=run.holder, last_started=now
    )
    if not taken:
        return Outcome(task.name, "running elsewhere", {})
    try:
        result = task.work(run)
    except Exception as error:  # a failed task must not stop the others: it is recorded and reported
        log.exception("periodic task %s failed", task.name)
        failed = {"error": f"{type(error).__name__}: {error}"[:500]}
        _release(run, last_result=failed)
        return Outcome(task.name, "failed", failed)
    _release(run, last_result=result, last_finished=timezone.now())
    return Outcome(task.name, "done", result)


def _row(name: str) -> PeriodicTask:
    row = PeriodicTask.objects.filter(name=name).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return PeriodicTask.objects.create(name=name)
    except IntegrityError:  # another node made it a moment ago
        return PeriodicTask.objects.get(name=name)


def _release(run: Run, **fields: Any) -> None:
    PeriodicTask.objects.filter(name=run.task.name, leased_by=run.holder).update(
        leased_until=None, leased_by="", **fields
    )
