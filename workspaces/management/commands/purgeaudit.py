"""purgeaudit --older-than 90d [--batch-size N] [--json]: delete old audit events in small batches."""

from __future__ import annotations

import re
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.utils import timezone

from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import AuditEvent
from workspaces.services import WorkspaceError

AGE = re.compile(r"^(\d{1,6})([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_age(text: str) -> timedelta:
    match = AGE.match(text.strip())
    if match is None:
        raise WorkspaceError(f"--older-than takes a number and a unit, such as 90d, 12h or 30m; not {text!r}.")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


class Command(JsonCommand):
    help = "Delete audit events older than a given age, a batch per transaction, with progress on stderr."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--older-than", required=True, help="Age such as 90d, 12h or 30m.")
        self.add_purge_arguments(parser)

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        cutoff = timezone.now() - parse_age(options["older_than"])
        old = AuditEvent.objects.filter(created__lt=cutoff)
        total = self.purge("audit events", old, options)
        return {"audit_events": total}, [f"Deleted {total} audit events older than {options['older_than']}."]
