"""manage.py import_processmaker: bring one ProcessMaker workspace over from its MySQL database."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import CommandError
from django.db import transaction

from pmimport.common import Run
from pmimport.importer import run_import
from pmimport.ledger import OUTCOMES, Report
from pmimport.policy import read_policy
from pmimport.source import Layout, SourceError, open_layout, parse_url, read_db_php
from workspaces.management.jsoncommand import JsonCommand

TABLES = ("roles", "auth sources", "users", "clients", "access tokens", "refresh tokens")


class Command(JsonCommand):
    help = (
        "Import a ProcessMaker 3.x workspace (roles, users with their passwords, OAuth clients and, with "
        "--tokens, live tokens) from its MySQL database into a workspace here, created when missing. "
        "Safe to run again: a second run brings over only what changed in ProcessMaker since."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--source", help="The workspace database: mysql://user:password@host:3306/wf_<ws>.")
        parser.add_argument(
            "--rbac-source",
            help="The RBAC database, for a workspace that began on ProcessMaker 2.x (mysql://.../rb_<ws>).",
        )
        parser.add_argument(
            "--db-php",
            type=Path,
            help="ProcessMaker's shared/sites/<ws>/db.php: both databases from it (instead of --source).",
        )
        parser.add_argument(
            "--ppp-expiration-unit",
            choices=["hours", "days"],
            default="hours",
            help="What db.php's PPP_EXPIRATION_IN counts: hours (ProcessMaker 3.3 and later; the default) or days.",
        )
        parser.add_argument("--workspace", required=True, help="The workspace here (created when missing).")
        parser.add_argument("--tokens", action="store_true", help="Also import live access and refresh tokens.")
        parser.add_argument(
            "--source-timezone",
            default="UTC",
            help="The ProcessMaker server's time zone, in which it wrote token expiry times (default UTC).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        zone = time_zone(options["source_timezone"])
        try:
            policy = read_policy(options["db_php"], options["ppp_expiration_unit"]) if options["db_php"] else None
            layout = open_source(options)
        except SourceError as error:
            raise CommandError(str(error)) from None
        self.shown: dict[str, float] = {}
        run = Run(layout, options["workspace"], zone, options["tokens"], progress=self.progress_printer(options))
        run.policy = policy
        try:
            with transaction.atomic() if options["dry_run"] else nullcontext():
                run_import(run)
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except SourceError as error:
            raise CommandError(f"{error} (the tables finished before this are imported; run again)") from None
        finally:
            layout.close()
        result = {
            "source": str(layout.workspace.location),
            "layout": layout.describe(),
            "workspace": options["workspace"],
            "workspace_created": run.created_workspace,
            "dry_run": options["dry_run"],
            "password_policy": run.policy.values if run.policy else None,
            "password_policy_changed": run.policy_changed,
            **run.report.as_json(),
        }
        self.failures = run.report.failed
        return result, summary(run, options["dry_run"])

    def handle(self, *args: Any, **options: Any) -> None:
        self.failures = 0
        super().handle(*args, **options)
        if self.failures:
            raise CommandError(f"{self.failures} row(s) could not be imported (listed above); the rest is in.")

    def progress_printer(self, options: dict[str, Any]) -> Any:
        def progress(table: str, done: int, total: int) -> None:
            now = time.monotonic()
            if options["verbosity"] == 0 or (done < total and now - self.shown.get(table, 0) < 1):
                return
            self.shown[table] = now
            share = f" ({done / total:.0%})" if total else ""
            self.stderr.write(f"{table}: {done:,} of {max(total, done):,} read{share}")

        return progress


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandError(f"Unknown time zone {name!r}: use an IANA name such as America/La_Paz or UTC.") from None


def open_source(options: dict[str, Any]) -> Layout:
    if options["db_php"] and options["source"]:
        raise SourceError("Give --source or --db-php, not both.")
    if options["db_php"]:
        workspace, from_file = read_db_php(options["db_php"])
        return open_layout(workspace, parse_url(options["rbac_source"]) if options["rbac_source"] else from_file)
    if not options["source"]:
        raise SourceError("Say where ProcessMaker's database is: --source mysql://user:password@host/wf_<ws>.")
    rbac = parse_url(options["rbac_source"]) if options["rbac_source"] else None
    return open_layout(parse_url(options["source"]), rbac)


def summary(run: Run, dry_run: bool) -> list[str]:
    report: Report = run.report
    created = (" (would be created)" if dry_run else " (created)") if run.created_workspace else ""
    lines = [
        f"Source: {run.layout.describe()} on {run.layout.workspace.location.host}:{run.layout.workspace.location.port}",
        f"Workspace: {run.workspace_name}{created}",
    ]
    if run.policy is not None:
        changed = f" ({len(run.policy_changed)} changed)" if run.policy_changed else " (as before)"
        lines.append(f"Password policy from db.php{changed}: {run.policy.describe()}")
    if dry_run:
        lines.append("Dry run: nothing was written; this is what a real run would do.")
    lines += ["", f"{'':16}" + "".join(f"{outcome:>11}" for outcome in OUTCOMES)]
    for table in (name for name in TABLES if name in report.tables):
        lines.append(f"{table:16}" + "".join(f"{report.tables[table][outcome]:>11,}" for outcome in OUTCOMES))
    if report.problems:
        lines += ["", "Rows to look at:"]
        lines += [f"  {p['table']}: {p['row']}: {p['level']}: {p['reason']}" for p in report.problems]
    for table in (name for name in TABLES if report.reasons.get(name)):
        counted = "; ".join(f"{reason}: {n:,}" for reason, n in report.reasons[table].items())
        lines.append(f"{table}, rows not listed one by one: {counted}")
    lines.append("")
    if report.changed:
        lines.append("Would import the rows counted as created and updated." if dry_run else "Done.")
    else:
        lines.append("Nothing to change: everything was already imported.")
    return lines
