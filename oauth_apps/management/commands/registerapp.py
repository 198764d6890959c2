"""registerapp --workspace W --owner USERNAME --name N [--website TEXT] [--callback URL] [--description D]
[--public] [--device-flow] [--json | --shell]"""

from __future__ import annotations

import shlex
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from oauth_apps.forms import ApplicationForm, NewApplicationForm
from oauth_apps.services import register_application
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import User
from workspaces.services import WorkspaceError, find_workspace

# The applications page's fields, by the option that sets each: the form's rules are the command's.
OPTIONS = {
    "name": "--name", "description": "--description", "website": "--website", "redirect_uris": "--callback",
    "public": "--public", "allow_device_flow": "--device-flow",
}  # fmt: skip
HELP = ApplicationForm.Meta.help_texts


class Command(JsonCommand):
    help = (
        "Register an OAuth client in a workspace, as the applications page does (the same fields and rules), "
        "and print its client id and secret (shown only now)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--workspace", required=True)
        parser.add_argument("--owner", required=True, help="Username of the owning user in the workspace.")
        parser.add_argument("--name", required=True, help="The application's name, as its users will see it.")
        parser.add_argument("--website", default="", help=HELP["website"])
        parser.add_argument("--callback", default="", help=HELP["redirect_uris"])
        parser.add_argument("--description", default="")
        parser.add_argument("--public", action="store_true", help="A public client: no secret, PKCE required.")
        parser.add_argument(
            "--device-flow", action="store_true", help=str(ApplicationForm.Meta.labels["allow_device_flow"])
        )
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
        data = {field: options[option.removeprefix("--").replace("-", "_")] for field, option in OPTIONS.items()}
        form = NewApplicationForm(data, workspace=workspace, owner=owner)
        if not form.is_valid():
            problems = [
                f"{OPTIONS.get(field, field)}: {' '.join(map(str, messages))}"
                for field, messages in form.errors.items()
            ]
            raise WorkspaceError("Not registered. " + " ".join(problems))
        for warning in form.warnings:
            self.stderr.write(f"Warning: {warning}")
        same = form.same_name()
        if same is not None:
            self.stderr.write(f"Warning: {owner.username} already has an application called {same.name} "
                              f"(client ID {same.client_id}); this registers another.")  # fmt: skip
        fields = form.cleaned_data
        registered = register_application(
            workspace, owner, name=fields["name"], website=fields["website"], callback=fields["redirect_uris"],
            description=fields["description"], public=fields["public"], device_flow=fields["allow_device_flow"],
        )  # fmt: skip
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
