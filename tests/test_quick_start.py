"""The README's quick start as a newcomer meets it: `make run` serves the demo, prints its URLs and
login again once it answers, and stops entirely at one Ctrl-C; the README's "A first token" block,
taken from README.md, runs as pasted against it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import PROJECT, free_port, wait_until_up

pytestmark = [pytest.mark.live, pytest.mark.own_database]
DEMO = "http://127.0.0.1:8080"


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    base: str
    port: int
    log: Path
    env: dict[str, str]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    """`make run` on a port of its own and a database of its own, in a process group of its own as a
    terminal would hold it."""
    port = free_port()
    env = terminal_environment()
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", PORT=str(port))
    log = tmp_path / "make-run.log"
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"], cwd=PROJECT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=interruptible,
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, seconds=180)
        yield Demo(process, f"http://127.0.0.1:{port}", port, log, env)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # run-demo stops its server's group
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        subprocess.run(["pkill", "-KILL", "-f", "--", f"--port {port} "], check=False)  # whatever is left


def terminal_environment() -> dict[str, str]:
    """A newcomer's shell: none of the settings the test run has (PM_ALLOW_HTTP, REDIS_URL, ...), which
    once let the README's `manage.py` line pass here while it failed in a terminal."""
    kept = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "TMPDIR")
    return {key: value for key, value in os.environ.items() if key in kept or key.startswith("LC_")}


def interruptible() -> None:
    """Ctrl-C's disposition as a terminal gives it (a test runner may have it ignored, which children
    would inherit, and a shell cannot trap a signal ignored on entry)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def first_token_block() -> str:
    readme = (PROJECT / "README.md").read_text()
    section = readme.split("### A first token", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "README.md has no shell block under 'A first token'"
    return block.group(1)


def test_make_run_says_where_it_serves_again_once_it_answers(demo: Demo) -> None:
    def banner_done() -> bool:  # the banner is written a line at a time: wait for its last line
        return "Ctrl-C" in demo.log.read_text().partition("is serving")[2]

    deadline = time.monotonic() + 10
    while not banner_done() and time.monotonic() < deadline:
        time.sleep(0.2)
    output = demo.log.read_text()
    starting, serving = output.index("is starting on"), output.index("is serving on")
    assert starting < output.index("Applying") < serving  # the migration log scrolls the first one away
    password = (PROJECT / "var" / "admin_password").read_text().strip()
    assert output[serving:].count(f"password {password}") == 1 and f"{demo.base}/sysworkflow" in output[serving:]


def test_the_first_token_block_runs_as_pasted(demo: Demo) -> None:
    block = first_token_block()
    assert DEMO in block  # the port make run serves
    script = "set -eu\n" + block.replace(DEMO, demo.base)
    done = subprocess.run(
        ["bash", "-c", script], cwd=PROJECT, env=demo.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert '"token_type": "bearer"' in done.stdout and '"userName":"admin"' in done.stdout, done.stdout


def test_one_ctrl_c_stops_everything_make_run_started(demo: Demo) -> None:
    assert port_open(demo.port)
    os.killpg(demo.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    began = time.monotonic()
    demo.process.wait(timeout=30)
    while port_open(demo.port) and time.monotonic() - began < 10:
        time.sleep(0.2)
    assert not port_open(demo.port), "something still serves after one Ctrl-C"
    left = subprocess.run(["pgrep", "-f", "--", f"--port {demo.port} "], capture_output=True, text=True)
    assert left.returncode == 1, left.stdout + left.stderr  # 1: none matched (2 would be pgrep's own error)


def test_make_run_installs_only_what_running_needs() -> None:
    planned = subprocess.run(
        ["make", "-n", "-B", "run"], cwd=PROJECT, capture_output=True, text=True, timeout=60
    ).stdout  # fmt: skip
    assert "-r requirements.txt" in planned and "requirements-dev.txt" not in planned
