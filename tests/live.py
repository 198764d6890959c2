"""Helpers for tests that start a real server process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

from django.db import connection

from tests.programs import program

PROJECT = Path(__file__).resolve().parent.parent


def migrated_sqlite_url(directory: Path) -> str:
    """The DATABASE_URL of a new SQLite file in `directory` for a subprocess: a copy of this test
    process's own test database (the caller asks for pytest-django's `db`, which puts its name in the
    settings), schema and migration records included, where that is a SQLite file (`migrate` from
    nothing costs seconds); otherwise a file migrated here. The copy is read through
    SQLite's backup API by a connection of its own, so it holds what is committed, never a running
    test's transaction."""
    target = directory / "db.sqlite3"
    url = f"sqlite:///{target}"
    name = Path(str(connection.settings_dict["NAME"]))
    if connection.vendor == "sqlite" and name.stem.startswith("test") and name.is_file():  # never a real database
        with sqlite3.connect(name) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        source.close()
    else:
        manage({**os.environ, "DATABASE_URL": url}, "migrate", "-v0")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def nginx_config(tmp_path: Path, upstreams: list[int], http: int, https: int) -> Path:
    """docker/nginx.conf as written, with only its app nodes, ports and certificate paths pointed
    at this test's own (docker/make-cert.sh makes the self-signed pair)."""
    shutil.copy(PROJECT / "docker" / "make-cert.sh", tmp_path / "make-cert.sh")
    subprocess.run([str(tmp_path / "make-cert.sh")], check=True, capture_output=True)
    text = (PROJECT / "docker" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in upstreams)
    text, replaced = re.subn(r"(upstream pm_oauth \{\n)(?:    server .*\n)+", lambda m: m.group(1) + servers, text)
    assert replaced == 1, "docker/nginx.conf has no upstream block of app servers"
    for old, new in [
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("/etc/nginx/certs/", f"{tmp_path}/certs/"),
        ("access_log /dev/stdout pm;", f"access_log {tmp_path}/access.log pm;"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    config = tmp_path / "nginx.conf"
    config.write_text(text)
    return config


def start_nginx(tmp_path: Path, config: Path) -> subprocess.Popen[bytes]:
    nginx = program("nginx")
    directives = f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"
    return subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp_path), "-g", directives], start_new_session=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def open_url(
    url: str, headers: dict[str, str] | None = None, data: bytes | None = None, method: str | None = None
) -> tuple[int, Message, bytes]:
    """Status, headers (by name in any case, as HTTP has them: granian sends them in lower case)
    and body; HTTPS without checking the test's self-signed certificate; no redirects followed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310
    try:
        with opener.open(request, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def manage(env: dict[str, str], *args: str) -> str:
    """`manage.py ARGS` in a process of its own with `env`; its stdout (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def serve(env: dict[str, str], port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """granian serving the project on 127.0.0.1:`port` with `env`, its output in `log`; two request
    threads per worker, as docker/entrypoint.sh serves (PM_THREADS)."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "granian"), "pmsite.wsgi:application", "--interface", "wsgi",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--blocking-threads", "2",
         "--no-ws"],
        cwd=PROJECT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
