"""A management command base whose output is either human lines or, with --json, one JSON object."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from workspaces.services import WorkspaceError


class JsonCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print exactly one JSON object on stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result, lines = self.run(**options)
        except WorkspaceError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for line in lines:
                self.stdout.write(line)

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        """Do the work; return the JSON object and the lines a person reads."""
        raise NotImplementedError
