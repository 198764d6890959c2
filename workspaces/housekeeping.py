"""The periodic housekeeping `workspaces` owns (workspaces.periodic): ended sessions, old audit events."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.utils import timezone

from workspaces.models import AuditEvent
from workspaces.periodic import Run, register
from workspaces.purging import Pace, purge


@register("clear-sessions", timedelta(days=1), "Delete ended web and admin sessions (Django's clearsessions).")
def clear_sessions(run: Run) -> dict[str, Any]:
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {}


def old_audit_events(days: int) -> Any:
    return AuditEvent.objects.filter(created__lt=timezone.now() - timedelta(days=days))


@register(
    "purge-audit", timedelta(days=1), "Delete audit events older than PM_AUDIT_RETENTION_DAYS (0: keep them all)."
)
def purge_audit(run: Run) -> dict[str, Any]:
    days = settings.PM_AUDIT_RETENTION_DAYS
    if days <= 0:
        return {"kept": "PM_AUDIT_RETENTION_DAYS is 0"}
    return {"audit_events": purge(old_audit_events(days), Pace(), lambda _: run.still_working())}
