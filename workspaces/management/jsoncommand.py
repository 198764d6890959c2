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

    def purge(self, name: str, queryset: QuerySet[Model], batch_size: int, verbosity: int, pause: float = 0) -> int:
        """Delete what `queryset` selects, one short transaction per batch (no lock held for long),
        printing progress on stderr; returns how many rows went."""
        total = 0
        while True:
            with transaction.atomic():
                ids = list(queryset.values_list("pk", flat=True)[:batch_size])
                if not ids:
                    return total
                queryset.model._default_manager.filter(pk__in=ids).delete()
            total += len(ids)
            if verbosity > 0:
                self.stderr.write(f"{name}: {total} deleted so far")
            if pause:
                time.sleep(pause)
