"""No token, code, secret or password ever reaches the log, at any LOG_LEVEL (NOTSET included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import resolve
from django.views.debug import SafeExceptionReporterFilter

from tests.live import PROJECT, migrated_sqlite_url
from workspaces.models import Workspace
from workspaces.names import redact_token_paths


@pytest.mark.process
@pytest.mark.own_database
@pytest.mark.parametrize(("level", "form"), [("NOTSET", "plain"), ("DEBUG", "json")])
def test_a_full_flow_at_the_lowest_log_level_logs_no_credential(
    tmp_path: Path, db: None, level: str, form: str
) -> None:
    """Every grant, and ProcessMaker's token-in-path routes answering 404, 405 and 503 (whose paths
    Django's request logger writes) with a live token, in both log formats."""
    env = {**os.environ, "LOG_LEVEL": level, "LOG_FORMAT": form, "DATABASE_URL": migrated_sqlite_url(tmp_path)}
    env["ALLOWED_HOSTS"] = "testserver"
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, str(PROJECT / "tests" / "log_scan_flow.py")],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    credentials = [line for line in result.stdout.split("=== credentials ===\n", 1)[1].splitlines() if line]
    assert len(credentials) == 13  # every grant, refresh, code, verifier and password of the flow
    log = result.stderr + result.stdout.split("=== credentials ===", 1)[0]
    assert "debug lines are written" in log
    leaked = [credential for credential in credentials if credential in log]
    assert leaked == []
    assert log.count("/oauth2/[token]") >= 8  # the 404s and 405s were logged, redacted (503s: no path)


@pytest.mark.process
@pytest.mark.own_database
def test_an_unknown_log_level_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "LOG_LEVEL": "CHATTY", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "LOG_LEVEL must be a level name" in result.stderr


@pytest.mark.parametrize(
    ("path", "secrets"),
    [
        ("/workflow/oauth2/token", ["password", "client_secret", "refresh_token", "code", "code_verifier"]),
        ("/workflow/oauth2/revoke", ["client_secret", "token"]),
        ("/workflow/oauth2/introspect", ["client_secret", "token"]),
    ],
)
def test_an_error_report_of_a_machine_endpoint_hides_the_secrets_of_its_body(
    workspace: Workspace, path: str, secrets: list[str]
) -> None:
    """Django's error reports (mail to ADMINS, the debug page) show a request's POST data, less
    what the view marked sensitive; the machine endpoints mark theirs without method_decorator."""
    body = {name: f"secret-{name}" for name in secrets} | {"grant_type": "password", "client_id": "ABC"}
    request = RequestFactory().post(path, body)
    match = resolve(path)
    request.workspace = workspace  # type: ignore[attr-defined]
    match.func(request, **{key: value for key, value in match.kwargs.items() if key != "ws"})
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert {name for name in body if shown[name] == body[name]} == {"grant_type", "client_id"}
    assert getattr(match.func, "csrf_exempt", False) is True


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("Not Found: /workflow/oauth2/abc123/expire", "Not Found: /workflow/oauth2/[token]/expire"),
        (
            "<WSGIRequest: PUT '/api/1.0/Workflow/oauth2/abc123'>",
            "<WSGIRequest: PUT '/api/1.0/Workflow/oauth2/[token]'>",
        ),
        (
            "Method Not Allowed (GET): /x/oauth2/abc/expire/now",
            "Method Not Allowed (GET): /x/oauth2/[token]/expire/now",
        ),
        ("Not Found: /workflow/oauth2/token", "Not Found: /workflow/oauth2/token"),
        ("Not Found: /workflow/oauth2/device_authorization/", "Not Found: /workflow/oauth2/device_authorization/"),
        ("GET /sysworkflow/en/neoclassic/oauth2/applications", "GET /sysworkflow/en/neoclassic/oauth2/applications"),
        ("/workflow/oauth2/tokens", "/workflow/oauth2/[token]"),  # not an endpoint's name: may be a token
    ],
)
def test_tokens_in_paths_are_redacted_and_nothing_else(line: str, logged: str) -> None:
    assert redact_token_paths(line) == logged
