"""The documentation's PHP client functions, run unchanged by `php` against a live server."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from workspaces.models import User

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
PHP_DIR = Path(__file__).parent / "php"


def run_php(live_server: Any, app: RegisteredClient, username: str, password: str) -> dict[str, Any]:
    php = shutil.which("php")
    assert php, "php-cli is not installed: run `make test` (it installs php-cli and php-curl)"
    result = subprocess.run(
        [php, str(PHP_DIR / "login_and_refresh.php"), live_server.url, "workflow",
         app.application.client_id, app.client_secret, username, password],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_pm_rest_login_and_refresh_work_unchanged(live_server: Any, app: RegisteredClient, operator_user: User) -> None:
    result = run_php(live_server, app, "JohnDoe", PASSWORD)
    login, refresh = result["login"], result["refresh"]
    assert re.fullmatch(r"[0-9a-f]{40}", login["access_token"]) and login["token_type"] == "bearer"
    assert login["expires_in"] == 86400 and login["scope"] == "*"
    assert refresh["access_token"] != login["access_token"] and refresh["refresh_token"] != login["refresh_token"]
    # The documentation's own refresh function, used twice with one token: the second fails
    # and every token of that login is revoked.
    assert result["replay"]["error"] == "invalid_grant"
    assert "Error logging into" in result["printed"]
    assert not AccessToken.objects.filter(token__in=[login["access_token"], refresh["access_token"]]).exists()


def test_pm_rest_login_reports_processmakers_error(
    live_server: Any, app: RegisteredClient, operator_user: User
) -> None:
    php = shutil.which("php")
    assert php
    script = (
        f"require '{PHP_DIR / 'pm_rest_functions.php'}'; $pmServer = '{live_server.url}'; "
        f"pmRestLogin('{app.application.client_id}', '{app.client_secret}', 'johndoe', 'wrong password');"
    )
    result = subprocess.run([php, "-r", script], capture_output=True, text=True, timeout=60)
    assert "Error: invalid_grant" in result.stdout
    assert "Description: Invalid username and password combination" in result.stdout
