"""purgetokens [--batch-size N] [--keep-revoked-days D] [--json]: delete dead tokens in small batches."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from oauth_apps.housekeeping import KEEP_REVOKED_DAYS, dead_tokens
from workspaces.management.jsoncommand import JsonCommand
from workspaces.services import WorkspaceError


class Command(JsonCommand):
    help = (
        "Delete expired access tokens, expired or long-revoked refresh tokens and old authorization "
        "codes, a batch per transaction so no lock is held for long. (`manage.py periodic` does it every hour.)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        self.add_purge_arguments(parser)
        parser.add_argument(
            "--keep-revoked-days",
            type=int,
            default=KEEP_REVOKED_DAYS,
            help="Keep used refresh tokens this long, so a replay is still recognised and answered by revoking.",
        )

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        keep_days = options["keep_revoked_days"]
        if keep_days < 0:
            raise WorkspaceError("--keep-revoked-days must not be negative.")
        deleted = {name: self.purge(name, queryset, options) for name, queryset in dead_tokens(keep_days).items()}
        lines = [f"Deleted {count} {name.replace('_', ' ')}." for name, count in deleted.items()]
        return deleted, lines
