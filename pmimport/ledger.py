"""The import's memory (`ImportedRow`) and its report."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pmimport.models import ImportedRow
from workspaces.models import Workspace

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")
LISTED_PER_TABLE = 200  # problems listed per table; the rest are counted by reason


def digest(salt: str, value: Any) -> str:
    encoded = json.dumps(value, sort_keys=True, default=str).encode()
    return hashlib.sha256(salt.encode() + encoded).hexdigest()


class Ledger:
    """The rows of one kind already imported into a workspace."""

    def __init__(self, workspace: Workspace, kind: str) -> None:
        self.workspace, self.kind = workspace, kind

    def find(self, key: str) -> ImportedRow | None:
        return ImportedRow.objects.filter(workspace=self.workspace, kind=self.kind, key=key).first()

    def keys_among(self, keys: Iterable[str]) -> set[str]:
        rows = ImportedRow.objects.filter(workspace=self.workspace, kind=self.kind, key__in=list(keys))
        return set(rows.values_list("key", flat=True))

    @staticmethod
    def changed(entry: ImportedRow, values: dict[str, Any]) -> list[str]:
        """The fields whose source value differs from what was imported last time."""
        return [name for name, value in values.items() if entry.fields.get(name) != digest(entry.salt, value)]

    def record(self, entry: ImportedRow | None, key: str, values: dict[str, Any]) -> None:
        entry = entry or ImportedRow(workspace=self.workspace, kind=self.kind, key=key, salt=secrets.token_hex(16))
        entry.fields = {name: digest(entry.salt, value) for name, value in values.items()}
        entry.save()

    def new_entry(self, key: str) -> ImportedRow:
        """An entry for a row that needs no field memory (a token: imported once, never updated)."""
        return ImportedRow(workspace=self.workspace, kind=self.kind, key=key)


@dataclass
class Report:
    """What a run did, table by table: counts by outcome, and the rows worth a person's look."""

    tables: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    reasons: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # of unlisted rows
    problems: list[dict[str, str]] = field(default_factory=list)
    listed: Counter[str] = field(default_factory=Counter)

    def start(self, table: str) -> None:
        """Show the table in the report even when it has no rows."""
        self.tables[table].update()

    def count(self, table: str, outcome: str, label: str = "", reason: str = "", *, listed: bool = True) -> None:
        self.tables[table][outcome] += 1
        if reason and listed:
            self.note(table, label, reason, outcome)
        elif reason:
            self.reasons[table][reason] += 1

    def note(self, table: str, label: str, text: str, level: str = "note") -> None:
        if self.listed[table] < LISTED_PER_TABLE:
            self.problems.append({"table": table, "row": label, "level": level, "reason": text})
        else:
            self.reasons[table][f"{level}: {text}"] += 1
        self.listed[table] += 1

    @property
    def failed(self) -> int:
        return sum(counts["failed"] for counts in self.tables.values())

    @property
    def changed(self) -> bool:
        return any(counts["created"] or counts["updated"] for counts in self.tables.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "tables": {table: {name: counts[name] for name in OUTCOMES} for table, counts in self.tables.items()},
            "reasons": {table: dict(reasons) for table, reasons in self.reasons.items()},
            "problems": self.problems,
            "problems_not_listed": sum(max(0, count - LISTED_PER_TABLE) for count in self.listed.values()),
            "changed": self.changed,
            "failed": self.failed,
        }
