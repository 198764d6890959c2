"""What every table's import shares: the run, a row's savepoint and the ledger's verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from pmimport.ledger import Ledger, Report
from pmimport.mapping import Mapped, Refused, Skipped
from pmimport.models import ImportedRow
from pmimport.policy import Policy
from pmimport.source import RBAC_TABLES, Layout
from workspaces.models import Workspace
from workspaces.services import WorkspaceError, describe_validation_error

Progress = Callable[[str, int, int], None]


@dataclass
class Run:
    """One import: where from, where to, and what it has done so far."""

    layout: Layout
    workspace_name: str
    zone: ZoneInfo
    tokens: bool
    progress: Progress = lambda table, done, total: None  # noqa: E731
    report: Report = field(default_factory=Report)
    now: datetime = field(default_factory=timezone.now)
    workspace: Workspace | None = None
    created_workspace: bool = False
    policy: Policy | None = None  # from db.php (--db-php): the workspace's password policy
    policy_changed: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> Workspace:
        assert self.workspace is not None
        return self.workspace

    def rbac(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
        """Rows from the RBAC database; `{USERS}`-style names become its table names."""
        names = {name: self.layout.table(name) for name in RBAC_TABLES}
        return self.layout.rbac.rows(sql.format(**names), params)


@contextmanager
def per_table() -> Iterator[None]:
    with transaction.atomic():
        yield


def one_row(run: Run, table: str, label: str, work: Callable[[], str]) -> None:
    """Do one row's work in a savepoint and count its outcome; a refused row is rolled back alone."""
    try:
        with transaction.atomic():
            outcome = work()
    except Skipped as skipped:
        run.report.count(table, "skipped", label, str(skipped))
    except (Refused, WorkspaceError) as refused:
        run.report.count(table, "failed", label, str(refused))
    except ValidationError as invalid:
        run.report.count(table, "failed", label, describe_validation_error(invalid))
    except DatabaseError as error:
        run.report.count(table, "failed", label, f"the database refused it: {error}")
    else:
        run.report.count(table, outcome)


def settle(
    ledger: Ledger, mapped: Mapped, existing: Any, *, adopt: bool = False
) -> tuple[ImportedRow | None, list[str]]:
    """The ledger entry and the fields to write: all of them for a new row (or an adopted one), the
    ones ProcessMaker changed since the last run for an imported one. Skipped when an imported row
    was deleted here since, Refused when a row of the same name was made here, not imported."""
    entry = ledger.find(mapped.key)
    if entry is None:
        if existing is not None and not adopt:
            raise Refused("one with the same identity already exists here and was not imported: left alone")
        return None, list(mapped.values)
    if existing is None:
        raise Skipped("deleted here since it was imported: not brought back")
    return entry, ledger.changed(entry, mapped.values)
