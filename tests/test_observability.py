"""/health, /ready, /metrics, request ids, JSON logs, and a 503 (not a 500) when the database is gone."""

from __future__ import annotations

import io
import ipaddress
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from oauth_apps.services import RegisteredClient
from plumbing.requestid import RequestIdFilter
from pmsite import observability
from tests.conftest import PASSWORD
from tests.live import free_port, serve, stop, wait_until_up
from tests.oauth import bearer, issue, password_grant
from workspaces.models import User, Workspace

ME = "/api/1.0/workflow/light/user/data"


def test_health_asks_nothing_of_the_database(client: Client, db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_checks_the_database_the_migrations_and_redis(client: Client, db: None) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "applied", "redis": "ok"},
    }


def test_ready_is_503_while_migrations_are_pending(client: Client, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(observability, "_migrated", False)
    monkeypatch.setattr(observability.MigrationExecutor, "migration_plan", lambda self, targets: ["one pending"])
    response = client.get("/ready")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "pending"


def test_metrics_is_not_served_unless_configured(client: Client, db: None) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_needs_the_token_or_an_allowed_address(client: Client, db: None, settings: Any) -> None:
    settings.PM_METRICS_TOKEN = "a metrics token of some length"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers=bearer("a metrics token of some lengtH")).status_code == 403
    assert client.get("/metrics", headers=bearer("a metrics token of some length")).status_code == 200
    settings.PM_METRICS_TOKEN = ""
    settings.PM_METRICS_ALLOW = observability_networks("10.0.0.0/8")
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    settings.PM_METRICS_ALLOW = observability_networks("10.0.0.0/8, 127.0.0.1")
    assert client.get("/metrics").status_code == 200


def observability_networks(value: str) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in value.split(","))


def metric(client: Client, name: str, **labels: str) -> float:
    text = client.get("/metrics", headers=bearer("a metrics token of some length")).content.decode()
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(f"{pair}" in line for pair in wanted.split(",")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_tokens_errors_lockouts_latency_and_queries(
    client: Client, app: RegisteredClient, operator_user: User, workspace: Workspace, settings: Any
) -> None:
    settings.PM_METRICS_TOKEN = "a metrics token of some length"
    issued = metric(client, "pm_tokens_issued_total", workspace="workflow", grant="password")
    errors = metric(client, "pm_token_errors_total", workspace="workflow", error="invalid_grant")
    throttles = metric(client, "pm_login_lockouts_total", workspace="workflow", kind="address")
    assert "access_token" in password_grant(client, app, "JohnDoe", PASSWORD).json()
    for _ in range(workspace.lockout_threshold + 1):
        password_grant(client, app, "JohnDoe", "wrong password")  # one address: it is throttled first
    assert metric(client, "pm_tokens_issued_total", workspace="workflow", grant="password") == issued + 1
    assert metric(client, "pm_token_errors_total", workspace="workflow", error="invalid_grant") > errors
    assert metric(client, "pm_login_lockouts_total", workspace="workflow", kind="address") == throttles + 1
    text = client.get("/metrics", headers=bearer("a metrics token of some length")).content.decode()
    assert re.search(r'pm_request_seconds_count\{endpoint="token",method="POST"\} \d', text)
    assert re.search(r'pm_db_queries_total\{endpoint="token"\} \d', text)
    # Labels are patterns, never a username, a password or a token.
    assert "JohnDoe" not in text and PASSWORD not in text


def test_every_answer_carries_a_request_id(client: Client, db: None) -> None:
    first, second = client.get("/health")["X-Request-ID"], client.get("/health")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_a_request_id_is_taken_only_from_the_trusted_proxy(client: Client, db: None, settings: Any) -> None:
    assert client.get("/health", headers={"X-Request-ID": "chosen-by-a-client"})["X-Request-ID"] != "chosen-by-a-client"
    settings.PM_TRUSTED_PROXY = ["127.0.0.1"]
    trusted = Client()  # the middleware reads the setting when it is built
    assert trusted.get("/health", headers={"X-Request-ID": "abc-123"})["X-Request-ID"] == "abc-123"
    assert trusted.get("/health", headers={"X-Request-ID": "bad id;\n"})["X-Request-ID"] != "bad id;\n"


def test_json_logs_carry_the_request_id_and_never_a_token(
    client: Client, app: RegisteredClient, operator_user: User, settings: Any
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    settings.PM_ACCESS_LOG = True
    try:
        token = issue(app, operator_user)
        api = Client()
        response = api.get(ME, headers=bearer(token))
        api.post(f"/workflow/oauth2/{token}/expire")
    finally:
        root.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == response["X-Request-ID"]]
    assert any(line["name"] == "pm.request" and line["status"] == 200 for line in mine)
    assert token not in stream.getvalue() and app.client_secret not in stream.getvalue()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/health", "/ready", "/metrics"])
def test_the_probes_answer_only_reads(client: Client, db: None, path: str, method: str) -> None:
    assert getattr(client, method)(path, "x" * 10_000, content_type="text/plain").status_code == 405


@pytest.mark.parametrize(
    "authorization",
    ["Bearer " + "a" * 100_000, "Bearer \u00e9t\u00e9", "Basic YTpi", "Bearer", "a metrics token of some length"],
)
def test_a_hostile_authorization_never_opens_the_metrics(
    client: Client, db: None, settings: Any, authorization: str
) -> None:
    settings.PM_METRICS_TOKEN = "a metrics token of some length"
    assert client.get("/metrics", headers={"Authorization": authorization}).status_code == 403


@pytest.mark.parametrize("sent", ["a" * 65, "", "x\ty", "../../etc", "\u00e9"])
def test_a_malformed_request_id_from_the_proxy_is_replaced(db: None, settings: Any, sent: str) -> None:
    settings.PM_TRUSTED_PROXY = ["127.0.0.1"]
    answered = Client().get("/health", headers={"X-Request-ID": sent})["X-Request-ID"]
    assert answered != sent and re.fullmatch(r"[0-9a-f]{32}", answered)


@pytest.mark.live
@pytest.mark.own_database
def test_a_database_that_does_not_answer_is_a_fast_503_in_the_callers_shape(tmp_path: Path) -> None:
    """A real server whose MariaDB is not there (nothing listens on its port): a 503 that says so,
    in the caller's shape, within a second or two; /health still answers, /ready says why not."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": "mysql://root@127.0.0.1:9/pm_nowhere", "PM_ALLOW_HTTP": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    server = serve(env, port, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/health", server)
        for method, path, headers, body in (
            ("GET", "/ready", {}, None),
            ("GET", "/api/1.0/workflow/light/user/data", {"Authorization": "Bearer " + "a" * 40}, None),
            ("POST", "/workflow/oauth2/token", {"Content-Type": "application/x-www-form-urlencoded"},
             b"grant_type=client_credentials&client_id=X&client_secret=Y"),
            ("GET", "/sysworkflow/en/neoclassic/login/login", {}, None),
        ):  # fmt: skip
            began = time.monotonic()
            status, answer, retry = fetch(method, base + path, headers, body)
            assert time.monotonic() - began < 3, path
            assert status == 503, (path, status, answer[:300])
            if path == "/ready":
                assert json.loads(answer)["checks"]["database"] == "unreachable"
            elif path.startswith("/api/"):
                assert json.loads(answer) == {"error": {"code": 503, "message": "Service Unavailable"}}
                assert retry == "5"
            elif "oauth2" in path:
                assert json.loads(answer)["error"] == "temporarily_unavailable"
            else:
                assert b"Temporarily unavailable" in answer
    finally:
        stop(server)


def fetch(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read(), response.headers.get("Retry-After")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Retry-After")
