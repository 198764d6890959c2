"""periodic [--task NAME ...] [--force] [--list] [--every SECONDS] [--json]: the housekeeping tasks
that are due (workspaces.periodic), each on one node at a time."""

from __future__ import annotations

import json
import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workspaces.models import PeriodicTask
from workspaces.periodic import Outcome, run_due, tasks


class Command(BaseCommand):
    help = (
        "Run every housekeeping task that is due: purge dead tokens and codes, clear ended sessions, apply "
        "the audit retention. Safe to start on every node at once (each task runs on one of them). From cron "
        "every few minutes, or as a long-running service with --every."
    )
    # Cron runs it every few minutes: no system checks each time (they read every user: workspaces.checks).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--task", action="append", metavar="NAME", help="Run only this task (repeatable).")
        parser.add_argument("--force", action="store_true", help="Run the tasks even if they are not due.")
        parser.add_argument(
            "--list", action="store_true", help="Show the tasks, how often each is due and its last run."
        )
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Do not exit: run what is due again every SECONDS (60 or more).",
        )
        parser.add_argument("--json", action="store_true", help="Print exactly one JSON object per run on stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        known = {task.name for task in tasks()}
        unknown = sorted(set(options["task"] or ()) - known)
        if unknown:
            raise CommandError(f"No such task: {', '.join(unknown)}. The tasks are: {', '.join(sorted(known))}.")
        if options["list"]:
            self.list_tasks(options["json"])
            return
        every = options["every"]
        if every is not None and every < 60:
            raise CommandError("--every takes 60 seconds or more.")
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        if every is not None:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            outcomes = run_due(options["task"], force=options["force"])
            self.report(outcomes, options["json"])
            self.stdout.flush()  # a service's log (a pipe, a journal) gets each run as it ends
            if every is None:
                if any(outcome.state == "failed" for outcome in outcomes):
                    raise CommandError("A task failed: see its error above (and in `manage.py periodic --list`).")
                return
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(1)
            if stopping:
                return

    def report(self, outcomes: list[Outcome], as_json: bool) -> None:
        if as_json:
            summary = {outcome.task: {"state": outcome.state, **outcome.result} for outcome in outcomes}
            self.stdout.write(json.dumps(summary))
            return
        for outcome in outcomes:
            facts = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in outcome.result.items())
            self.stdout.write(f"{outcome.task}: {outcome.state}{f' ({facts})' if facts else ''}")

    def list_tasks(self, as_json: bool) -> None:
        rows = {row.name: row for row in PeriodicTask.objects.all()}
        listed = []
        for task in tasks():
            row = rows.get(task.name)
            listed.append({
                "task": task.name, "every_seconds": int(task.every.total_seconds()), "description": task.description,
                "last_started": row.last_started.isoformat() if row and row.last_started else None,
                "last_finished": row.last_finished.isoformat() if row and row.last_finished else None,
                "last_result": row.last_result if row else {},
                "running": bool(row and row.leased_until and row.leased_until > timezone.now()),
            })  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps(listed))
            return
        for entry in listed:
            self.stdout.write(
                f"{entry['task']} (every {entry['every_seconds']} s): {entry['description']}\n"
                f"  last finished {entry['last_finished'] or 'never'}; last result {entry['last_result'] or '-'}"
                f"{'; running now' if entry['running'] else ''}"
            )
