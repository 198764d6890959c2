"""Settings come from the environment; without a secret key the app refuses to start, clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import PROJECT

# Each test starts Django in a process of its own, on a database of its own.
pytestmark = pytest.mark.own_database


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.process
def test_without_a_secret_key_the_app_refuses_to_start_with_one_message(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SECRET_KEY")}
    env["PM_VAR_DIR"] = str(tmp_path)
    result = run_check(env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.process
def test_the_secret_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("a key read from a file\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SECRET_KEY")}
    env.update(PM_VAR_DIR=str(tmp_path), SECRET_KEY_FILE=str(key_file), DATABASE_URL=f"sqlite:///{tmp_path / 'db'}")
    result = run_check(env)
    assert result.returncode == 0, result.stderr


@pytest.mark.process
def test_a_malformed_boolean_setting_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "DEBUG": "maybe", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    result = run_check(env)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.process
def test_oauthlib_never_logs_below_info_even_at_debug(tmp_path: Path) -> None:
    # oauthlib logs whole tokens and request bodies at DEBUG.
    env = {**os.environ, "LOG_LEVEL": "DEBUG", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    code = (
        "import django, logging; django.setup(); "
        "print(*(logging.getLogger(name).getEffectiveLevel() for name in ('oauthlib', 'oauth2_provider')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env={**env, "DJANGO_SETTINGS_MODULE": "pmsite.settings"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.split() == ["20", "20"], result.stderr
