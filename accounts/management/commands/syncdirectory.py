"""syncdirectory --workspace W [--dry-run] [--register] [--json]"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from accounts.directory_sync import OUTCOMES, run_locked
from workspaces.management.jsoncommand import JsonCommand
from workspaces.services import find_workspace


class Command(JsonCommand):
    help = (
        "Bring a workspace's directory users in line with their LDAP or Active Directory sources: update their "
        "profile and the role their groups give, deactivate those gone, retired, disabled or expired (their "
        "tokens end), and with --register add the users the sources' filters name. --dry-run reports what a "
        "run would do and changes nothing. One run per workspace at a time."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument("--register", action="store_true", help="Also add the directory's users not here yet.")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["workspace"])
        shown: dict[str, float] = {}

        def progress(source: str, done: int, total: int) -> None:
            if options["verbosity"] and (done == total or time.monotonic() - shown.get(source, 0) >= 1):
                shown[source] = time.monotonic()
                self.stderr.write(f"{source}: {done:,} of {total:,} users")

        synced = run_locked(workspace, dry_run=options["dry_run"], register_new=options["register"], progress=progress)
        if synced is None:
            raise CommandError(f"A sync of {workspace.name} is running already; try again when it has finished.")
        lines = [f"Workspace {workspace.name}" + (" (dry run: nothing was changed)" if options["dry_run"] else ""), ""]
        lines.append(f"{'source':24}" + "".join(f"{outcome:>12}" for outcome in OUTCOMES))
        for name, counts in synced.counts.items():
            lines.append(f"{name[:24]:24}" + "".join(f"{counts[outcome]:>12,}" for outcome in OUTCOMES))
        if not synced.counts:
            lines.append(f"{workspace.name} has no authentication source.")
        lines += ["", *synced.notes] if synced.notes else []
        result = {
            "workspace": workspace.name, "dry_run": options["dry_run"],
            "sources": {name: dict(counts) for name, counts in synced.counts.items()}, "notes": synced.notes,
        }  # fmt: skip
        self.failed = synced.failed
        return result, lines

    def handle(self, *args: Any, **options: Any) -> None:
        self.failed = False
        super().handle(*args, **options)
        if self.failed:
            raise CommandError("A source could not be read (above); its users were left as they are.")
