"""docker/entrypoint.sh, run outside Docker: migrate, bootstrap a workspace, serve (granian, or gunicorn)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live import PROJECT, free_port, stop, wait_until_up

pytestmark = [pytest.mark.live, pytest.mark.own_database]


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_entrypoint_bootstraps_a_workspace_and_serves_it(tmp_path: Path, server: str) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PM_SERVER": server,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHON": sys.executable,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PM_BOOTSTRAP_WORKSPACE": "demo",
        "PM_ADMIN_PASSWORD": "entrypoint password",
        "PM_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PM_LIST_WORKSPACES": "1",  # as make run sets it: the home page lists the demo workspace
    }
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(PROJECT / "docker" / "entrypoint.sh")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:  # noqa: S310
            assert b"demo" in response.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sysdemo/en/neoclassic/login/login") as response:  # noqa: S310
            assert response.status == 200
        # The log is written on its own time: wait for the line, at most 10 s.
        deadline = time.monotonic() + 10
        while "GET login 200" not in (tmp_path / "server.log").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop(process)
    # The request log names the URL pattern with its status, never the path (a token may be in it).
    logged = (tmp_path / "server.log").read_text()
    assert re.search(r"pm\.request \[[0-9a-f]{32}\] GET login 200", logged), logged[-2000:]
    assert "/sysdemo/en/" not in logged
    check = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from workspaces.models import User; "
            "print(User.objects.get(username='admin').check_password('entrypoint password'))",
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip().splitlines()[-1] == "True", check.stderr
