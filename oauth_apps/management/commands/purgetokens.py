"""purgetokens [--batch-size N] [--keep-revoked-days D] [--json]: delete dead tokens in small batches."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from oauth_apps.models import AccessToken, Grant, RefreshToken
from workspaces.management.jsoncommand import JsonCommand
from workspaces.services import WorkspaceError


class Command(JsonCommand):
    help = (
        "Delete expired access tokens, expired or long-revoked refresh tokens and old authorization "
        "codes, a batch per transaction so no lock is held for long."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--keep-revoked-days",
            type=int,
            default=30,
            help="Keep used refresh tokens this long, so a replay is still recognised and answered by revoking.",
        )
        parser.add_argument("--pause", type=float, default=0.0, help="Seconds to sleep between batches.")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        batch_size, keep_days = options["batch_size"], options["keep_revoked_days"]
        if not 1 <= batch_size <= 100_000:
            raise WorkspaceError("--batch-size must be between 1 and 100000.")
        if keep_days < 0:
            raise WorkspaceError("--keep-revoked-days must not be negative.")
        now = timezone.now()
        targets: dict[str, QuerySet[Any]] = {
            "access_tokens": AccessToken.objects.filter(expires__lt=now),
            "refresh_tokens": RefreshToken.objects.filter(expires__lt=now)
            | RefreshToken.objects.filter(revoked__lt=now - timedelta(days=keep_days)),
            "authorization_codes": Grant.objects.filter(expires__lt=now - timedelta(days=1)),
        }
        deleted = {
            name: self.purge(name, queryset, batch_size, options["verbosity"], options["pause"])
            for name, queryset in targets.items()
        }
        lines = [f"Deleted {count} {name.replace('_', ' ')}." for name, count in deleted.items()]
        return deleted, lines
