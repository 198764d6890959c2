"""A management command base whose output is either human lines or, with --json, one JSON object."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Model, QuerySet

from workspaces.purging import Pace, purge
from workspaces.services import WorkspaceError


class JsonCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print exactly one JSON object on stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result, lines = self.run(**options)
        except WorkspaceError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for line in lines:
                self.stdout.write(line)

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        """Do the work; return the JSON object and the lines a person reads."""
        raise NotImplementedError

    def add_purge_arguments(self, parser: ArgumentParser) -> None:
        """The options of every command that deletes in batches (see `purge`)."""
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per batch (one transaction each).")
        parser.add_argument(
            "--duty",
            type=float,
            default=0.2,
            help="Share of the time spent deleting (0 to 1): after a batch that took t seconds the command "
            "rests t * (1 - duty) / duty, so the server keeps the CPU and the database it needs. 1: no rest.",
        )
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to rest between batches, besides.")

    def purge(self, name: str, queryset: QuerySet[Model], options: dict[str, Any]) -> int:
        """`workspaces.purging.purge` at the pace the options say; how many rows went. On a terminal,
        one progress line on stderr that updates in place; in a log (a pipe, a file, cron's mail)
        nothing per batch: the command's summary says what went."""
        pace = Pace(options["batch_size"], options["duty"], options["pause"])
        if options["verbosity"] == 0 or not self.stderr.isatty():
            return purge(queryset, pace)
        expected, began = queryset.count(), time.monotonic()

        def progress(total: int) -> None:
            rate = total / max(time.monotonic() - began, 1e-6)
            share = f" ({total / expected:.0%})" if expected else ""
            line = f"{name}: {total:,} of {max(expected, total):,} deleted{share}, {rate:,.0f} rows/s"
            self.stderr.write(f"\r{line}\x1b[K", ending="")  # back to the line's start, clear the rest
            self.stderr.flush()

        total = purge(queryset, pace, progress)
        if total:
            self.stderr.write("")  # end the progress line
        return total
