"""Requests anyone can send at will, without a credential, do not flood the log or the audit table:
another workspace's client id is recorded once an hour per client with a count; an unknown workspace
is logged at DEBUG without its path; a Host not allowed or too many fields is one WARNING line with no
traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from oauth_apps.services import RegisteredClient
from tests.live import PROJECT, migrated_sqlite_url
from workspaces import audit
from workspaces.models import AuditEvent, AuditEventType, User


@pytest.mark.process
@pytest.mark.own_database
def test_the_log_holds_one_line_per_kind_of_fault_and_no_error(tmp_path: Path, db: None) -> None:
    env = {**os.environ, "LOG_LEVEL": "INFO", "DATABASE_URL": migrated_sqlite_url(tmp_path)}
    env["ALLOWED_HOSTS"] = "testserver"
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, str(PROJECT / "tests" / "log_flood_flow.py")],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stderr
    assert " ERROR " not in log and "Traceback" not in log
    assert "no-such-workspace" not in log  # nor its path at INFO
    assert log.count("was used on workspace target") == 1  # 30 attempts, one line
    assert log.count("WARNING django.security.DisallowedHost") == 30
    assert log.count("WARNING django.security.TooManyFieldsSent") == 30
    (row,) = json.loads(result.stdout.split("=== audit ===\n", 1)[1])
    assert row["count"] == 30 and row["extra"]["credential"] == "client"


def test_another_workspaces_client_id_is_one_row_an_hour_with_a_count(
    client: Client,
    app: RegisteredClient,
    foreign_app: RegisteredClient,
    stranger: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = {"grant_type": "client_credentials", "client_id": foreign_app.application.client_id, "client_secret": "x"}
    for _ in range(5):
        assert client.post("/workflow/oauth2/token", params).json()["error"] == "invalid_client"
    (row,) = AuditEvent.objects.filter(event_type=AuditEventType.CROSS_WORKSPACE_ATTEMPT)
    assert row.count == 5 and row.workspace == app.application.workspace
    assert row.extra == {"credential": "client", "owner_workspace": foreign_app.application.workspace_id}
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.post("/workflow/oauth2/token", params)
    counts = AuditEvent.objects.filter(event_type=AuditEventType.CROSS_WORKSPACE_ATTEMPT).values_list(
        "count", flat=True
    )
    assert sorted(counts) == [1, 5]


def test_a_repeat_whose_row_was_lost_writes_a_new_one(db: None, app: RegisteredClient) -> None:
    workspace = app.application.workspace
    assert audit.record_hourly(AuditEventType.CROSS_WORKSPACE_ATTEMPT, workspace, client_id="ABC", credential="client")
    AuditEvent.objects.all().delete()
    assert not audit.record_hourly(
        AuditEventType.CROSS_WORKSPACE_ATTEMPT, workspace, client_id="ABC", credential="client"
    )
    (row,) = AuditEvent.objects.all()
    assert (row.client_id, row.count, row.extra) == ("ABC", 1, {"credential": "client"})
