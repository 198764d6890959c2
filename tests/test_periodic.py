"""manage.py periodic: every housekeeping task that is due, each on one node at a time."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.live import PROJECT, migrated_sqlite_url
from tests.oauth import password_grant
from workspaces import periodic
from workspaces.models import AuditEvent, AuditEventType, PeriodicTask, User

TASKS = ["clear-sessions", "deliver-logouts", "purge-audit", "purge-tokens", "rotate-signing-keys", "sync-directories"]


def run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("periodic", "--json", *args, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_every_task_runs_once_then_waits_until_it_is_due(db: None) -> None:
    first = run()
    assert sorted(first) == TASKS and {entry["state"] for entry in first.values()} == {"done"}
    assert {entry["state"] for entry in run().values()} == {"not due"}
    assert {entry["state"] for entry in run("--force").values()} == {"done"}
    PeriodicTask.objects.filter(name="purge-tokens").update(
        last_finished=timezone.now() - timedelta(hours=1, seconds=1)
    )
    again = run()
    assert again["purge-tokens"]["state"] == "done" and again["clear-sessions"]["state"] == "not due"


def test_it_deletes_what_is_dead_and_keeps_the_rest(
    client: Client, app: RegisteredClient, operator_user: User, settings: Any
) -> None:
    dead, live = (password_grant(client, app, "johndoe", PASSWORD).json() for _ in range(2))
    AccessToken.objects.filter(token=dead["access_token"]).update(expires=timezone.now() - timedelta(seconds=1))
    RefreshToken.objects.presented(dead["refresh_token"]).update(revoked=timezone.now() - timedelta(days=31))
    old_event = AuditEvent.objects.create(
        event_type=AuditEventType.LOGIN_FAILED, created=timezone.now() - timedelta(days=8)
    )
    new_event = AuditEvent.objects.create(event_type=AuditEventType.LOGIN_FAILED)
    ended = SessionStore()
    ended.set_expiry(-1)
    ended.create()
    settings.PM_AUDIT_RETENTION_DAYS = 7
    done = run()
    assert done["purge-tokens"] == {
        "state": "done",
        "access_tokens": 1,
        "refresh_tokens": 1,
        "authorization_codes": 0,
        "id_tokens": 0,
    }
    assert done["purge-audit"] == {"state": "done", "audit_events": 1}
    assert AccessToken.objects.filter(token=live["access_token"]).exists()
    assert list(AuditEvent.objects.filter(pk__in=[old_event.pk, new_event.pk])) == [new_event]
    assert not Session.objects.filter(session_key=ended.session_key).exists()


def test_an_audit_retention_of_zero_keeps_every_event(db: None, settings: Any) -> None:
    settings.PM_AUDIT_RETENTION_DAYS = 0
    AuditEvent.objects.create(event_type=AuditEventType.LOGIN_FAILED, created=timezone.now() - timedelta(days=4000))
    assert run("--task", "purge-audit")["purge-audit"]["state"] == "done"
    assert AuditEvent.objects.count() == 1


def test_a_task_another_node_is_running_is_left_to_it(db: None) -> None:
    run("--task", "purge-tokens")
    PeriodicTask.objects.filter(name="purge-tokens").update(
        leased_until=timezone.now() + timedelta(minutes=5), leased_by="node2:42"
    )
    assert run("--task", "purge-tokens", "--force")["purge-tokens"]["state"] == "running elsewhere"
    PeriodicTask.objects.filter(name="purge-tokens").update(leased_until=timezone.now() - timedelta(seconds=1))
    assert run("--task", "purge-tokens", "--force")["purge-tokens"]["state"] == "done"  # a dead node's lease ended
    assert PeriodicTask.objects.get(name="purge-tokens").leased_by == ""


@pytest.fixture
def slow_task() -> Iterator[tuple[threading.Event, threading.Event]]:
    """A task that holds its run until told to finish."""
    started, finish = threading.Event(), threading.Event()

    @periodic.register("slow", timedelta(hours=1), "A test's task.")
    def slow(run: periodic.Run) -> dict[str, Any]:
        started.set()
        assert finish.wait(10)
        return {"slow": 1}

    yield started, finish
    del periodic._tasks["slow"]


@pytest.mark.django_db(transaction=True)
def test_two_nodes_starting_at_once_run_a_task_once(slow_task: tuple[threading.Event, threading.Event]) -> None:
    started, finish = slow_task
    outcomes: list[periodic.Outcome] = []
    task = periodic._tasks["slow"]
    first = threading.Thread(target=lambda: outcomes.append(periodic.run_one(task)))
    first.start()
    assert started.wait(10)
    outcomes.append(periodic.run_one(task))  # the second node, while the first is still running it
    finish.set()
    first.join(10)
    assert sorted(outcome.state for outcome in outcomes) == ["done", "running elsewhere"]


def test_a_failing_task_is_recorded_and_the_others_still_run(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(run: periodic.Run) -> dict[str, Any]:
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(periodic._tasks, "purge-audit", periodic.Task("purge-audit", timedelta(days=1), "x", broken))
    out = io.StringIO()
    with pytest.raises(CommandError, match="A task failed"):
        call_command("periodic", stdout=out)
    assert "purge-audit: failed (error: RuntimeError: the disk is full)" in out.getvalue()
    assert "purge-tokens: done" in out.getvalue() and "clear-sessions: done" in out.getvalue()
    row = PeriodicTask.objects.get(name="purge-audit")
    assert row.last_finished is None and row.last_result == {"error": "RuntimeError: the disk is full"}
    assert row.leased_until is None


def test_the_list_says_when_each_task_last_ran(db: None) -> None:
    run("--task", "purge-tokens")
    out = io.StringIO()
    call_command("periodic", "--list", "--json", stdout=out)
    listed = {entry["task"]: entry for entry in json.loads(out.getvalue())}
    assert sorted(listed) == TASKS
    assert listed["purge-tokens"]["last_finished"] and listed["purge-tokens"]["every_seconds"] == 3600
    assert listed["clear-sessions"]["last_finished"] is None and not listed["clear-sessions"]["running"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--task", "nope"], "No such task: nope"), (["--every", "5"], "--every takes 60 seconds or more")],
)
def test_bad_arguments_are_refused_with_a_message(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("periodic", *args, stdout=io.StringIO())


@pytest.mark.process
@pytest.mark.own_database
def test_as_a_service_it_runs_then_waits_and_stops_at_once_on_sigterm(tmp_path: Path, db: None) -> None:
    # Its output is a pipe, as under systemd or a supervisor, and buffered as Python buffers a pipe by
    # default: each run's lines must come when it ends, not when a buffer fills hours later.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    env["DATABASE_URL"] = migrated_sqlite_url(tmp_path)
    service = subprocess.Popen(
        [sys.executable, "manage.py", "periodic", "--every", "60"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert service.stdout is not None
    lines = [service.stdout.readline() for _ in TASKS]
    assert all(": done" in line for line in lines), lines
    service.send_signal(signal.SIGTERM)
    assert service.wait(timeout=5) == 0
