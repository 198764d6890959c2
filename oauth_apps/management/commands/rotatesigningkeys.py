"""rotatesigningkeys [WORKSPACE ...] [--at-once] [--json]: new OpenID Connect signing keys."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from oauth_apps.oidc import keys
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import Workspace
from workspaces.services import find_workspace


class Command(JsonCommand):
    help = (
        "Give each named workspace (every one that has signed an ID token, if none is named) a new signing key "
        "per algorithm it uses. The new key is published at once and signs from tomorrow, so relying parties "
        "fetch it first; the replaced one stays published for max(the ID-token lifetime, 30 days). "
        "(`manage.py periodic` rotates keys older than PM_SIGNING_KEY_ROTATION_DAYS.)"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("workspaces", nargs="*", metavar="WORKSPACE")
        parser.add_argument(
            "--at-once",
            action="store_true",
            help="The new keys sign now, not tomorrow: for a key believed compromised (relying parties that "
            "cached the key set refuse ID tokens until they fetch it again).",
        )

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        names = options["workspaces"]
        if names:
            chosen = [find_workspace(name) for name in names]
        else:
            chosen = list(Workspace.objects.filter(signing_keys__isnull=False).distinct().order_by("name"))
        result: dict[str, Any] = {}
        lines = []
        for workspace in chosen:
            made = keys.rotate(workspace, at_once=options["at_once"])
            result[workspace.name] = [
                {"kid": key.kid, "algorithm": key.algorithm, "signs_from": key.signs_from.isoformat()} for key in made
            ]
            for key in made:
                lines.append(
                    f"{workspace.name}: new {key.algorithm} key {key.kid}, "
                    f"signing from {key.signs_from:%Y-%m-%d %H:%M} UTC."
                )
            if not made:
                lines.append(f"{workspace.name}: no keys yet (they are made when the first ID token is signed).")
        return result, lines
