"""`manage.py syncdirectory`, and the periodic task that runs it for sources given a sync interval:
bring a workspace's directory users in line with their directories.

For each source, every entry its users filter names is read (paged), and each user signing in with
it is updated (DN, profile, the role the groups give) or deactivated when their entry is gone,
retired, disabled or expired (their tokens end, as any deactivation ends them: accounts.services).
With `register`, entries nobody has here become users. One run per workspace at a time: the run
holds a lease (workspaces.periodic), and a second one says so and stops. A directory that does not
answer stops that source's run with its users untouched.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.services import save_user
from directory import accounts as directory_accounts
from directory import client
from directory.signin import account_gone
from workspaces.models import AuthSource, User, Workspace
from workspaces.periodic import Run, Task, register, run_one
from workspaces.usernames import fold_username

log = logging.getLogger(__name__)
OUTCOMES = ("updated", "unchanged", "deactivated", "registered", "failed")
Progress = Callable[[str, int, int], None]


@dataclass
class Synced:
    counts: dict[str, Counter[str]] = field(default_factory=dict)  # source name -> outcome -> users
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(counts["failed"] for counts in self.counts.values())


def sync_workspace(
    workspace: Workspace, *, dry_run: bool = False, register_new: bool = False, progress: Progress | None = None,
    sources: list[AuthSource] | None = None, still_working: Callable[[], None] = lambda: None,
) -> Synced:  # fmt: skip
    synced = Synced()
    for source in sources if sources is not None else AuthSource.objects.filter(workspace=workspace):
        counts = synced.counts.setdefault(source.name, Counter({outcome: 0 for outcome in OUTCOMES}))
        try:
            entries = {fold_username(entry.first(source.id_attribute)): entry for entry in client.all_users(source)}
        except client.DirectoryUnavailable as error:
            counts["failed"] += 1
            synced.notes.append(f"{source.name}: no server answered ({error}); its users were left as they are")
            continue
        with transaction.atomic():
            sync_source(source, entries, counts, synced.notes, register_new, progress, still_working)
            if dry_run:
                transaction.set_rollback(True)
            else:
                AuthSource.objects.filter(pk=source.pk).update(last_synced=timezone.now())
    return synced


def sync_source(
    source: AuthSource, entries: dict[str, client.Entry], counts: Counter[str], notes: list[str],
    register_new: bool, progress: Progress | None, still_working: Callable[[], None],
) -> None:  # fmt: skip
    users = list(User.objects.filter(auth_source=source).select_related("role", "workspace"))
    for done, user in enumerate(users, 1):
        entry = entries.pop(user.username_folded, None)
        gone = "gone from the directory" if entry is None else account_gone(source, entry)
        if gone:
            if user.is_active:
                user.status = User.Status.INACTIVE
                save_user(user, ["status"])  # ends their tokens
                counts["deactivated"] += 1
                notes.append(f"{source.name}: {user.username}: deactivated ({describe(gone)})")
            else:
                counts["unchanged"] += 1
        else:
            assert entry is not None
            role = directory_accounts.group_role(source, entry)
            changed = directory_accounts.bring_up_to_date(user, source, entry, role)
            counts["updated" if changed else "unchanged"] += 1
        report(progress, source, done, len(users), still_working)
    if not register_new:
        return
    for name, entry in entries.items():
        if (
            account_gone(source, entry)
            or User.objects.filter(workspace=source.workspace, username_folded=name).exists()
        ):
            continue
        registered = directory_accounts.register(source, entry, name, directory_accounts.group_role(source, entry))
        counts["registered" if registered else "failed"] += 1


def describe(reason: str) -> str:
    return {"533": "disabled in the directory", "701": "expired in the directory",
            "retired": "in the retired users' OU"}.get(reason, reason)  # fmt: skip


def report(
    progress: Progress | None, source: AuthSource, done: int, total: int, still_working: Callable[[], None]
) -> None:
    if done % 100 == 0 or done == total:
        still_working()
        if progress is not None:
            progress(source.name, done, total)


def run_locked(workspace: Workspace, **options: Any) -> Synced | None:
    """`sync_workspace` holding the workspace's sync lease; None when another run holds it."""
    result: dict[str, Synced] = {}

    def work(run: Run) -> dict[str, Any]:
        synced = sync_workspace(workspace, still_working=run.still_working, **options)
        result["synced"] = synced
        return {name: dict(counts) for name, counts in synced.counts.items()}

    outcome = run_one(Task(f"syncdirectory:{workspace.name}", timedelta(0), "directory sync", work), force=True)
    if outcome.state == "running elsewhere":
        return None
    if outcome.state == "failed":
        raise RuntimeError(outcome.result.get("error", "the sync failed"))
    return result["synced"]


@register("sync-directories", timedelta(minutes=15), "Sync the directory users of sources given a sync interval.")
def sync_due_sources(run: Run) -> dict[str, Any]:
    now, done = timezone.now(), {}
    for source in AuthSource.objects.filter(sync_hours__gt=0).select_related("workspace"):
        if source.last_synced is not None and source.last_synced + timedelta(hours=source.sync_hours) > now:
            continue
        synced = sync_workspace(source.workspace, sources=[source], still_working=run.still_working)
        done[f"{source.workspace.name}/{source.name}"] = dict(synced.counts.get(source.name, {}))
    return done
