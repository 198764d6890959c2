"""Production is HTTPS by default; PM_ALLOW_HTTP opts out; forwarded headers only from the trusted proxy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.live import PROJECT
from tests.oauth import bearer, issue
from workspaces.models import ErrorMode, User, Workspace

pytestmark = pytest.mark.process  # each test starts the app in a child process

PROBE = (
    "import django; django.setup(); from django.conf import settings as s; from django.test import Client; "
    "r = Client(raise_request_exception=False).get('/sysworkflow/en/neoclassic/login/login', HTTP_HOST='127.0.0.1'); "
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, r.status_code)"
)


def probe(tmp_path: Path, code: str = PROBE, **env: str) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if key not in ("PM_ALLOW_HTTP", "DEBUG")}
    base.update(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db'}", "DJANGO_SETTINGS_MODULE": "pmsite.settings",
         "PM_PUBLIC_URL": "https://id.example.com", **env}
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=base, capture_output=True, text=True, timeout=60
    )


@pytest.mark.own_database
def test_without_debug_https_is_on_by_default(tmp_path: Path) -> None:
    result = probe(tmp_path)
    assert result.stdout.split() == ["True", "True", "True", "31536000", "301"], result.stderr


@pytest.mark.own_database
def test_pm_allow_http_turns_it_off(tmp_path: Path) -> None:
    result = probe(tmp_path, PM_ALLOW_HTTP="1")
    assert result.stdout.split()[:4] == ["False", "False", "False", "0"], result.stderr


@pytest.mark.own_database
def test_the_old_pm_force_https_is_refused_with_a_message(tmp_path: Path) -> None:
    result = probe(tmp_path, PM_FORCE_HTTPS="1")
    assert result.returncode != 0 and "PM_FORCE_HTTPS is gone" in result.stderr


@pytest.mark.own_database
def test_a_trusted_proxy_must_be_an_address(tmp_path: Path) -> None:
    result = probe(tmp_path, PM_TRUSTED_PROXY="true")
    assert result.returncode != 0 and "PM_TRUSTED_PROXY lists IP addresses" in result.stderr


@pytest.mark.own_database
@pytest.mark.parametrize("entry_point", ["pmsite.wsgi", "pmsite.asgi"])
def test_outside_the_demo_the_server_will_not_start_without_pm_public_url(tmp_path: Path, entry_point: str) -> None:
    result = probe(tmp_path, PM_PUBLIC_URL="", code=f"import {entry_point}")
    assert result.returncode != 0 and "PM_PUBLIC_URL is not set" in result.stderr


@pytest.mark.own_database
def test_without_pm_public_url_management_commands_still_run(tmp_path: Path) -> None:
    """The operator's (and the README's) `manage.py` commands in a shell without the server's URL."""
    result = probe(
        tmp_path,
        PM_PUBLIC_URL="",
        code="import django; django.setup(); from django.core.management import call_command; call_command('check')",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.own_database
@pytest.mark.parametrize(
    ("value", "allow_http"),
    [("http://id.example.com", ""), ("https://id.example.com/oauth", "1"), ("id.example.com", "1"),
     ("https://user:pw@id.example.com", "1"), ("https://id.example.com?x=1", "1"), ("ftp://id.example.com", "1")],
)  # fmt: skip
def test_pm_public_url_must_be_an_origin(tmp_path: Path, value: str, allow_http: str) -> None:
    result = probe(tmp_path, PM_PUBLIC_URL=value, PM_ALLOW_HTTP=allow_http)
    assert result.returncode != 0 and "PM_PUBLIC_URL must be an" in result.stderr, result.stderr


FORWARDED = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7", "HTTP_X_FORWARDED_PROTO": "https"}


def test_forwarded_headers_from_the_trusted_proxy_are_believed(settings: Any, db: None) -> None:
    settings.PM_TRUSTED_PROXY = ["127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = Client().get("/health", **FORWARDED).wsgi_request
    assert request.META["REMOTE_ADDR"] == "198.51.100.7"  # what the proxy appended, not what the client wrote
    assert request.is_secure()


@pytest.mark.parametrize("trusted", [[], ["10.0.0.1"]])
def test_forwarded_headers_from_anyone_else_are_dropped(settings: Any, db: None, trusted: list[str]) -> None:
    settings.PM_TRUSTED_PROXY = trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = Client().get("/health", **FORWARDED).wsgi_request
    assert request.META["REMOTE_ADDR"] == "127.0.0.1"
    assert not request.is_secure() and "HTTP_X_FORWARDED_FOR" not in request.META


MACHINE_POSTS = [
    "/workflow/oauth2/token", "/api/1.0/workflow/oauth2/token", "/workflow/oauth2/revoke",
    "/workflow/oauth2/introspect", "/workflow/oauth2/device_authorization", f"/workflow/oauth2/{'a' * 40}/expire",
    f"/api/1.0/workflow/oauth2/{'a' * 40}/expire",
]  # fmt: skip


@pytest.fixture
def https_only(settings: Any) -> None:
    """Production's transport settings (the suite runs as the plain-HTTP demo)."""
    settings.HTTPS_ONLY = settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health$", r"^ready$"]


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_machine_endpoints_over_plain_http_are_refused_not_redirected(
    https_only: None, app: RegisteredClient, admin: User, mode: str
) -> None:
    """A 301 comes after the credentials crossed the network in the clear, and some clients repeat the POST."""
    Workspace.objects.filter(pk=admin.workspace_id).update(error_mode=mode)
    refused = {"error": "invalid_request", "error_description": "HTTPS is required"}
    client = Client()
    for path in MACHINE_POSTS:
        response = client.post(path, {"client_id": app.application.client_id, "client_secret": app.client_secret})
        assert response.status_code == 403 and response.json() == refused, path
        assert response["Cache-Control"] == "no-store"
    assert client.delete(f"/workflow/oauth2/{'a' * 40}").status_code == 403
    api = client.get("/api/1.0/workflow/users", headers=bearer(issue(app, admin)))
    assert api.status_code == 403 and api.json() == {"error": {"code": 403, "message": "Forbidden: HTTPS is required"}}
    assert AccessToken.objects.count() == 1  # the one issued here; nothing was issued over plain HTTP


def test_browser_gets_keep_the_redirect(https_only: None, workspace: Workspace) -> None:
    client = Client()
    for path in ["/sysworkflow/en/neoclassic/login/login", "/workflow/oauth2/authorize?client_id=X",
                 "/api/1.0/workflow/schema/ui", "/workflow/oauth2/token"]:  # fmt: skip
        response = client.get(path)
        assert response.status_code == 301 and response["Location"].startswith("https://"), path


def test_over_https_nothing_changes(https_only: None, app: RegisteredClient) -> None:
    body = {"grant_type": "client_credentials", "client_id": app.application.client_id,
            "client_secret": app.client_secret}  # fmt: skip
    assert "access_token" in Client().post("/workflow/oauth2/token", body, secure=True).json()
