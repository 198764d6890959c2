"""createuser --workspace W USERNAME [--password P] [--role R] [--email E] [--first-name F] [--last-name L] [--json]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from accounts.services import create_user
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import Role
from workspaces.services import find_role, find_workspace, generate_password


class Command(JsonCommand):
    help = "Create a user in a workspace."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--password", help="Default: a generated password that is printed.")
        parser.add_argument("--role", default=Role.OPERATOR)
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["workspace"])
        role = find_role(workspace, options["role"])
        password = options["password"] or ""
        generated = not password
        if generated:
            password = generate_password(workspace)
        user = create_user(
            workspace,
            options["username"],
            password,
            role=role,
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
        )
        result: dict[str, Any] = {
            "uid": user.uid,
            "username": user.username,
            "workspace": workspace.name,
            "role": role.code,
        }
        lines = [
            f"Created user {user.username!r} in workspace {workspace.name!r} with role {role.code} (uid {user.uid})."
        ]
        if generated:
            result["password"] = password
            lines.append(f"Password: {password}")
        return result, lines
