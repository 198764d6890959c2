"""registerapp --workspace W --owner USERNAME --name N --website URL [--callback URL] [--description D] [--public]
[--json | --shell]"""

from __future__ import annotations

import shlex
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from oauth_apps.forms import callback_transport_warning, validate_callback_url, validate_website
from oauth_apps.services import register_application
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import User
from workspaces.services import WorkspaceError, find_workspace


class Command(JsonCommand):
    help = "Register an OAuth client in a workspace and print its client id and secret (shown only now)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--owner", required=True, help="Username of the owning user in the workspace.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--website", required=True, help="Absolute URL with a scheme, e.g. https://example.com")
        parser.add_argument(
            "--callback", default="", help="Redirect URI for the authorization-code and implicit flows."
        )
        parser.add_argument("--description", default="")
        parser.add_argument("--public", action="store_true", help="A public client: no secret, PKCE required.")
        parser.add_argument(
            "--shell",
            action="store_true",
            help="Print `export CLIENT_ID=... CLIENT_SECRET=...` alone, for a shell: "
            'eval "$(manage.py registerapp ... --shell)".',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["shell"] and options["json"]:
            raise CommandError("--shell and --json each choose the output: give one of them.")
        super().handle(*args, **options)

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["workspace"])
        try:
            owner = User.objects.get_in_workspace(workspace, options["owner"])
        except User.DoesNotExist:
            raise WorkspaceError(f"Unknown user {options['owner']!r} in workspace {workspace.name!r}.") from None
        name = options["name"].strip()
        if not name or len(name) > 256:
            raise WorkspaceError("The name is required and at most 256 characters.")
        if len(options["description"]) > 1024:
            raise WorkspaceError("The description is at most 1024 characters.")
        try:
            website = validate_website(options["website"])
            callback = validate_callback_url(options["callback"]) if options["callback"] else ""
            warning = callback_transport_warning(callback, workspace)
        except ValidationError as error:
            raise WorkspaceError(" ".join(error.messages)) from None
        if warning:
            self.stderr.write(f"Warning: {warning}")
        registered = register_application(
            workspace,
            owner,
            name=name,
            website=website,
            callback=callback,
            description=options["description"],
            public=options["public"],
        )
        client = registered.application
        result = {
            "client_id": client.client_id,
            "client_secret": registered.client_secret,
            "name": client.name,
            "workspace": workspace.name,
        }
        if options["shell"]:
            secret = shlex.quote(registered.client_secret)
            return result, [f"export CLIENT_ID={shlex.quote(client.client_id)} CLIENT_SECRET={secret}"]
        lines = [f"Registered {client.name!r} in workspace {workspace.name!r}.", f"client_id: {client.client_id}"]
        if options["public"]:
            lines.append("client_secret: (none: a public client must use PKCE)")
        else:
            lines.append(f"client_secret: {registered.client_secret}  (shown only now; it is stored hashed)")
        return result, lines
