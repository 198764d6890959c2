"""authsource WORKSPACE [NAME [FIELD=VALUE ...]] [--create] [--delete] [--test [--user U]] [--json]"""

from __future__ import annotations

import getpass
import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from directory.check import test_connection
from plumbing.encryption import EncryptionUnavailable
from workspaces import audit
from workspaces.management.jsoncommand import JsonCommand
from workspaces.models import AuthSource
from workspaces.services import WorkspaceError, find_workspace

FIELDS = (
    "kind", "servers", "port", "encryption", "ca_certificates", "base_dn", "bind_dn", "bind_password",
    "id_attribute", "users_filter", "retired_ou", "attribute_map", "connect_timeout", "operation_timeout",
)  # fmt: skip


class Command(JsonCommand):
    help = (
        "List a workspace's authentication sources (LDAP, Active Directory), or create, change, test or delete "
        "one. FIELD=VALUE sets a field (" + ", ".join(FIELDS) + "); bind_password=- reads the search user's "
        "password from standard input (or asks for it on a terminal) so it stays out of the shell's history; "
        "ca_certificates=@FILE reads a PEM file. Every value is checked before anything is saved."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("workspace")
        parser.add_argument("name", nargs="?", help="The source's name.")
        parser.add_argument("assignments", nargs="*", metavar="FIELD=VALUE")
        parser.add_argument("--create", action="store_true", help="Create the source (it must not exist).")
        parser.add_argument("--delete", action="store_true", help="Delete it (refused while users sign in with it).")
        parser.add_argument("--test", action="store_true", help="Connect, bind and find a user; say what happened.")
        parser.add_argument("--user", default="", help="With --test: the username to look for.")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        workspace = find_workspace(options["workspace"])
        if not options["name"]:
            sources = list(AuthSource.objects.filter(workspace=workspace))
            listed = [f"{s.name}: {s.get_kind_display()} at {s.servers}:{s.port} ({s.encryption}), "
                     f"{s.users.count()} user(s)" for s in sources] or [f"{workspace.name} has no source."]  # fmt: skip
            return {"workspace": workspace.name, "sources": [s.name for s in sources]}, listed
        source = AuthSource.objects.filter(workspace=workspace, name=options["name"]).first()
        if options["create"]:
            if source is not None:
                raise WorkspaceError(f"{workspace.name} already has a source named {options['name']!r}.")
            source = AuthSource(workspace=workspace, name=options["name"])
        elif source is None:
            raise WorkspaceError(f"{workspace.name} has no source named {options['name']!r} (--create makes one).")
        if options["delete"]:
            return delete(source)
        result: dict[str, Any] = {"workspace": workspace.name, "source": source.name, "changed": []}
        lines: list[str] = []
        values = parse(options["assignments"])
        if values or options["create"]:
            result["changed"] = save(source, values, created=options["create"])
            lines.append(f"{source}: {', '.join(result['changed']) or 'nothing'} set.")
        if options["test"]:
            checked = test_connection(source, options["user"])
            result["test"] = {"ok": checked.ok, "lines": checked.lines}
            lines += checked.lines
            self.failed_test = not checked.ok
        return result, lines

    def handle(self, *args: Any, **options: Any) -> None:
        self.failed_test = False
        super().handle(*args, **options)
        if self.failed_test:
            sys.exit(1)


def parse(assignments: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or name not in FIELDS:
            raise WorkspaceError(
                f"Nothing changed: {assignment[:60]!r} is not FIELD=VALUE (fields: {', '.join(FIELDS)})."
            )
        if name == "bind_password" and text == "-":
            text = (
                getpass.getpass("Search user's password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
            )
        elif name == "ca_certificates" and text.startswith("@"):
            try:
                with open(text[1:], encoding="utf-8") as pem:
                    text = pem.read()
            except OSError as error:
                raise WorkspaceError(f"Nothing changed: cannot read {text[1:]}: {error.strerror}.") from None
        elif name == "attribute_map":
            try:
                values[name] = json.loads(text)
            except ValueError:
                raise WorkspaceError('Nothing changed: attribute_map is JSON, e.g. {"email": "mail"}.') from None
            continue
        values[name] = text
    return values


@transaction.atomic
def save(source: AuthSource, values: dict[str, Any], *, created: bool) -> list[str]:
    for name, value in values.items():
        field = AuthSource._meta.get_field(name)
        try:
            setattr(source, name, field.to_python(value))  # type: ignore[union-attr]
        except ValidationError as error:
            raise WorkspaceError(f"Nothing changed. {name}: {' '.join(error.messages)}") from None
    try:
        source.full_clean()
        source.save()
    except ValidationError as error:
        problems = "; ".join(f"{n}: {' '.join(m)}" for n, m in error.message_dict.items())
        raise WorkspaceError(f"Nothing changed. {problems}") from None
    except (EncryptionUnavailable, IntegrityError) as error:
        raise WorkspaceError(f"Nothing changed. {error}") from None
    changed = sorted(values) if not created else ["created", *sorted(values)]
    shown = [name for name in changed if name != "bind_password"] + (
        ["bind_password"] if "bind_password" in values else []
    )
    audit.record(audit.Event.WORKSPACE_SETTINGS_CHANGED, source.workspace, source=source.name, fields=shown)
    return shown


def delete(source: AuthSource) -> tuple[dict[str, Any], list[str]]:
    users = source.users.count()
    if users:
        raise WorkspaceError(f"Not deleted: {users} user(s) sign in with {source.name!r}. Move them first.")
    source.delete()
    audit.record(audit.Event.WORKSPACE_SETTINGS_CHANGED, source.workspace, source=source.name, deleted=True)
    return {"workspace": source.workspace.name, "deleted": source.name}, [f"Deleted {source.name!r}."]
