"""The audit log: `record()` writes one security event (workspaces.models.AuditEvent).

An event is written in the same transaction as the change it records, so a change that is rolled
back leaves no event. A failed token request, though, is rolled back on purpose, and what it
records (a failed login, a replayed code) must stay: the token view collects the events of the
request (`collect()`) and writes them again after the rollback (`write_again()`).

Events a stranger can cause at will, with no credential (naming another workspace's client id,
which is public), would otherwise let anyone fill the table and the log: `record_hourly` writes one
row per kind, workspace and client an hour, with a count of the repeats, and tells its caller
whether to log (the first of the hour only).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from workspaces.http import is_ip_address
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

log = logging.getLogger(__name__)
Event = AuditEventType


@dataclass
class Collected:
    """What a block recorded: new events, and the repeats `record_hourly` counted on existing rows."""

    events: list[AuditEvent] = field(default_factory=list)
    repeats: list[tuple[AuditEventType, int, str, str, datetime]] = field(default_factory=list)


_collected: ContextVar[Collected | None] = ContextVar("pm_audit_collected", default=None)


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
        collected.events.append(event)
    return event


def record_hourly(
    event_type: AuditEventType,
    workspace: Workspace,
    *,
    client_id: str,
    credential: str,
    address: str | None = None,
    **extra: Any,
) -> bool:
    """`record()` at most once an hour per (event type, workspace, client, credential presented),
    with `credential` in the row's extra: repeats within the hour add to that row's `count`. True for
    the first of the hour (the caller logs that one alone)."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    digest = hashlib.sha256(f"{credential}\n{client_id}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"pm:audit:hourly:{int(event_type)}:{workspace.pk}:{digest}:{hour:%Y%m%d%H}"
    if cache.add(key, 1, timeout=3600 + 60):
        record(event_type, workspace, client_id=client_id, address=address, credential=credential, **extra)
        return True
    repeat = (event_type, workspace.pk, client_id[:80], credential, hour)
    _count_repeat(*repeat)
    collected = _collected.get()
    if collected is not None:
        collected.repeats.append(repeat)
    return False


def _count_repeat(event_type: AuditEventType, workspace: int, client_id: str, credential: str, hour: datetime) -> None:
    this_hour = AuditEvent.objects.filter(
        workspace_id=workspace, event_type=event_type, client_id=client_id, extra__credential=credential,
        created__gte=hour, created__lt=hour + timedelta(hours=1),
    )  # fmt: skip
    if not this_hour.update(count=F("count") + 1):  # the hour's row is gone (rolled back and lost)
        AuditEvent.objects.create(
            workspace_id=workspace, event_type=event_type, client_id=client_id, extra={"credential": credential}
        )


def record_cross_workspace(
    tried_on: Workspace, *, client_id: str, owner_workspace: int, credential: str, address: str | None = None
) -> None:
    """A credential of another workspace was used on `tried_on`: refused there like an unknown one,
    and recorded (logged once an hour per client: a client id is public, so anyone can repeat it)."""
    if record_hourly(
        Event.CROSS_WORKSPACE_ATTEMPT, tried_on, client_id=client_id, credential=credential, address=address,
        owner_workspace=owner_workspace,
    ):  # fmt: skip
        log.warning(
            "%s of workspace id %s (client %s) was used on workspace %s; refused as unknown (further attempts "
            "this hour are counted in the audit log, not logged)",
            credential, owner_workspace, client_id[:80], tried_on.name,
        )  # fmt: skip


@contextmanager
def collect() -> Iterator[Collected]:
    """What is recorded inside the block, to be written again if the block's work is rolled back."""
    collected = Collected()
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def write_again(collected: Collected) -> None:
    """After the block's work was rolled back: its events written anew, then its repeats counted."""
    for event in collected.events:
        event.pk = None
        event._state.adding = True
        if event.target_user_id and not User.objects.filter(pk=event.target_user_id).exists():
            event.target_user = None
        event.save()
    for repeat in collected.repeats:
        _count_repeat(*repeat)
