"""State changes for processes; each one is a single transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from processes.models import Process


class ProcessNameTaken(Exception):
    """Another process of the workspace has this name (perhaps created a moment ago)."""


def save_process(process: Process, changes: Mapping[str, Any]) -> Process:
    """Create or change a process. The database's unique name index decides between two requests
    racing for one name; the loser gets ProcessNameTaken, not an IntegrityError."""
    for field, value in changes.items():
        setattr(process, field, value)
    try:
        with transaction.atomic():
            process.save()
    except IntegrityError:
        raise ProcessNameTaken(process.name) from None
    return process
