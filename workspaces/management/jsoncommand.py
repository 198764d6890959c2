"""A management command base whose output is either human lines or, with --json, one JSON object."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model, QuerySet

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
        """Delete what `queryset` selects, one short transaction per batch (no lock held for long),
        resting between batches as --duty and --pause say, printing progress on stderr; returns how
        many rows went.

        Batches walk the primary key upwards (each starts after the last key deleted), so the table
        is read once in all, however many batches it takes and whatever index the filter lacks.
        """
        batch_size, duty, pause, verbosity = (options[key] for key in ("batch_size", "duty", "pause", "verbosity"))
        if not 1 <= batch_size <= 100_000:
            raise WorkspaceError("--batch-size must be between 1 and 100000.")
        if not 0 < duty <= 1:
            raise WorkspaceError("--duty must be more than 0 and at most 1.")
        if pause < 0:
            raise WorkspaceError("--pause must not be negative.")
        expected = queryset.count() if verbosity > 0 else 0
        total, after, began = 0, None, time.monotonic()
        while True:
            batch_began = time.monotonic()
            with transaction.atomic():
                batch = queryset if after is None else queryset.filter(pk__gt=after)
                ids = list(batch.order_by("pk").values_list("pk", flat=True)[:batch_size])
                if not ids:
                    return total
                queryset.model._default_manager.filter(pk__in=ids).delete()
            total, after = total + len(ids), ids[-1]
            if verbosity > 0:
                rate = total / max(time.monotonic() - began, 1e-6)
                share = f" ({total / expected:.0%})" if expected else ""
                self.stderr.write(f"{name}: {total:,} of {max(expected, total):,} deleted{share}, {rate:,.0f} rows/s")
            rest = (time.monotonic() - batch_began) * (1 - duty) / duty + pause
            if rest > 0:
                time.sleep(rest)
