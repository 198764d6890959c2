"""createworkspace NAME [--admin-username admin] [--admin-password P] [--error-mode M] [--json]"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from accounts.services import provision_workspace
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import ErrorMode, Workspace
from workspaces.services import generate_password


class Command(JsonCommand):
    help = "Create a workspace with its roles, its local web client and an admin user."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("name", help="Workspace name: 1-64 letters, digits, '_' or '-'.")
        parser.add_argument("--admin-username", default="admin")
        parser.add_argument(
            "--admin-password",
            help="Default: $PM_ADMIN_PASSWORD, or a generated password that is printed.",
        )
        parser.add_argument(
            "--error-mode",
            choices=ErrorMode.values,
            default=ErrorMode.PROCESSMAKER,
            help="How token errors are answered: processmaker (HTTP 200, as ProcessMaker; the default) or rfc6749.",
        )
        parser.add_argument(
            "--exist-ok", action="store_true", help="Succeed without changes when the workspace already exists."
        )

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        if options["exist_ok"] and Workspace.objects.filter(name=options["name"]).exists():
            return {"workspace": options["name"], "created": False}, [f"Workspace {options['name']!r} exists."]
        password = options["admin_password"] or os.environ.get("PM_ADMIN_PASSWORD") or ""
        generated = not password
        if generated:
            password = generate_password()
        workspace = Workspace(name=options["name"], error_mode=options["error_mode"])
        created = provision_workspace(workspace, options["admin_username"], password)
        result: dict[str, Any] = {
            "workspace": created.workspace.name,
            "admin_username": created.admin.username,
            "admin_uid": created.admin.uid,
            "local_client_id": created.local_client_id,
        }
        lines = [
            f"Created workspace {created.workspace.name!r}.",
            f"Admin user: {created.admin.username} (uid {created.admin.uid})",
        ]
        if generated:
            result["admin_password"] = password
            lines.append(f"Admin password: {password}")
        return result, lines
