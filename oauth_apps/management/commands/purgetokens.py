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
        self.add_purge_arguments(parser)
        parser.add_argument(
            "--keep-revoked-days",
            type=int,
            default=30,
            help="Keep used refresh tokens this long, so a replay is still recognised and answered by revoking.",
        )

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        keep_days = options["keep_revoked_days"]
        if keep_days < 0:
            raise WorkspaceError("--keep-revoked-days must not be negative.")
        now = timezone.now()
        targets: dict[str, QuerySet[Any]] = {
            "access_tokens": AccessToken.objects.filter(expires__lt=now),
            "refresh_tokens": RefreshToken.objects.filter(expires__lt=now)
            | RefreshToken.objects.filter(revoked__lt=now - timedelta(days=keep_days)),
            "authorization_codes": Grant.objects.filter(expires__lt=now - timedelta(days=1)),
        }
        deleted = {name: self.purge(name, queryset, options) for name, queryset in targets.items()}
        lines = [f"Deleted {count} {name.replace('_', ' ')}." for name, count in deleted.items()]
        return deleted, lines
