"""setworkspace NAME [SETTING=VALUE ...] [--list] [--json]: read and set a workspace's settings."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError

from accounts import workspace_changes
from workspaces.management.jsoncommand import JsonCommand
from workspaces.services import WorkspaceError, find_workspace


class Command(JsonCommand):
    help = (
        "Read or set the settings the Django admin edits for a workspace (error mode, default scope, "
        "lifetimes, login limits, remembered consent, the password policy, whether it is active). With no "
        "SETTING=VALUE, or with --list: each setting, its value and what it may be. Every value is checked "
        "before any is saved: a wrong name or value changes nothing. Each change is audited."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name", help="The workspace.")
        parser.add_argument(
            "assignments", nargs="*", metavar="SETTING=VALUE",
            help="e.g. lockout_threshold=5 default_scope='view_process edit_process' refresh_token_lifetime=none",
        )  # fmt: skip
        parser.add_argument("--list", action="store_true", help="Show the settings after any change.")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["name"])
        values = parse_assignments(options["assignments"])
        changed = workspace_changes.change_settings(workspace, values) if values else {}
        result: dict[str, Any] = {"workspace": workspace.name, "changed": changed}
        lines = [f"{workspace.name}: {name} = {show(value)}" for name, value in changed.items()]
        if values and not changed:
            lines.append(f"{workspace.name}: nothing to change (the values were already so).")
        if options["list"] or not values:
            settings = workspace_changes.describe_settings(workspace)
            result["settings"] = {s.name: {"value": s.value, "allowed": s.allowed} for s in settings}
            width = max(len(s.name) for s in settings)
            lines += [f"{s.name:<{width}}  {show(s.value):<24}  ({s.allowed})" for s in settings]
        return result, lines


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """SETTING=VALUE pairs as setting values: WorkspaceError naming every problem, before any change."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            problems.append(f"{assignment!r} is not SETTING=VALUE")
        elif name not in workspace_changes.SETTINGS:
            problems.append(f"no such setting {name!r} (the settings: {', '.join(workspace_changes.SETTINGS)})")
        elif name in values:
            problems.append(f"{name} is given twice")
        else:
            try:
                values[name] = workspace_changes.parse(name, text)
            except ValidationError as error:
                problems.append(f"{name}: {' '.join(error.messages)}")
    if problems:
        raise WorkspaceError("Nothing changed: " + "; ".join(problems) + ".")
    return values


def show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
