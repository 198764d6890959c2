"""The audit log: `record()` writes one security event (workspaces.models.AuditEvent).

An event is written in the same transaction as the change it records, so a change that is rolled
back leaves no event. A failed token request, though, is rolled back on purpose, and what it
records (a failed login, a replayed code) must stay: the token view collects the events of the
request (`collect()`) and writes them again after the rollback (`write_again()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from workspaces.http import is_ip_address
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

Event = AuditEventType
_collected: ContextVar[list[AuditEvent] | None] = ContextVar("pm_audit_collected", default=None)


def record(
    event_type: AuditEventType,
    workspace: Workspace | int | None,
    *,
    by: User | None = None,
    user: User | None = None,
    client_id: str = "",
    address: str | None = None,
    **extra: Any,
) -> AuditEvent:
    """Write one event. `extra` holds small facts (a username tried, counts, old and new values),
    never a credential."""
    event = AuditEvent(
        workspace_id=workspace.pk if isinstance(workspace, Workspace) else workspace,
        event_type=event_type,
        acting_user=by if by is not None and by.pk else None,
        target_user=user if user is not None and user.pk else None,
        client_id=client_id[:80],
        ip_address=address if address and is_ip_address(address) else None,
        extra=extra,
    )
    event.save()
    collected = _collected.get()
    if collected is not None:
        collected.append(event)
    return event


@contextmanager
def collect() -> Iterator[list[AuditEvent]]:
    """The events recorded inside the block, to be written again if the block's work is rolled back."""
    events: list[AuditEvent] = []
    token = _collected.set(events)
    try:
        yield events
    finally:
        _collected.reset(token)


def write_again(events: list[AuditEvent]) -> None:
    for event in events:
        event.pk = None
        event._state.adding = True
        if event.target_user_id and not User.objects.filter(pk=event.target_user_id).exists():
            event.target_user = None
        event.save()
