"""deleteworkspace NAME [--confirm NAME] [--batch-size N] [--json]: delete a workspace with every row of it."""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from accounts import workspace_changes
from workspaces.management.jsoncommand import JsonCommand
from workspaces.services import WorkspaceError, find_workspace


class Command(JsonCommand):
    help = (
        "Delete a workspace and everything in it: users, roles, applications, tokens, codes and audit events. "
        "It asks you to type the workspace's name first (or give it with --confirm). It is retired at once, "
        "so it answers 503 while the rest goes; the tokens and audit events go in batches, with progress. "
        "To stop a workspace without deleting anything, retire it (the admin, or setworkspace NAME is_active=false)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name", help="The workspace to delete.")
        parser.add_argument("--confirm", metavar="NAME", help="The workspace's name again, instead of typing it.")
        self.add_purge_arguments(parser)
        parser.set_defaults(duty=1.0)

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["name"])
        counts = {kind: queryset.count() for kind, queryset in workspace_changes.rows_of(workspace).items()}
        listed = workspace_changes.describe_rows(counts)
        typed = options["confirm"]
        if typed is None:
            self.stderr.write(f"Workspace {workspace.name!r} holds {listed}. Deleting it cannot be undone.")
            typed = self.ask(f"Type the workspace's name ({workspace.name}) to delete it: ")
        if typed != workspace.name:
            raise WorkspaceError(f"Not deleted: {typed!r} is not the workspace's name, {workspace.name!r}.")
        deleted = workspace_changes.delete(
            workspace,
            purge=lambda kind, queryset: self.purge(kind.replace("_", " "), queryset, options),
            operator=operator_name(),
        )
        done = f"Deleted workspace {workspace.name!r} and {workspace_changes.describe_rows(deleted)}."
        return {"workspace": workspace.name, "deleted": deleted}, [done]

    def ask(self, prompt: str) -> str:
        self.stderr.write(prompt, ending="")
        self.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:
            raise WorkspaceError("Not deleted: no answer (give --confirm NAME when there is no one to type it).")
        return answer.strip()


def operator_name() -> str:
    """Who ran the command, for the audit event (a container may have no name for its user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
