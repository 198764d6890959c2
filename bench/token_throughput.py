"""client_credentials tokens per second under gunicorn, measured with wrk.

    .venv/bin/python bench/token_throughput.py                 # SQLite in a temporary folder
    DATABASE_URL=mysql://root@127.0.0.1:3306/pm_bench .venv/bin/python bench/token_throughput.py

Prints the SQL statements one token costs, the latency of one request, and what wrk
measures with 8 connections for 10 seconds against `gunicorn -w 2` (as the reference
numbers in ../shared/reference/processmaker.md were taken). Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_SECONDS", "10")


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="pm-bench-"))
    env = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only"), "PM_VAR_DIR": str(tmp)}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    if env["DATABASE_URL"].startswith("mysql://"):
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        subprocess.run(
            ["mysql", "-uroot", "-h127.0.0.1", "-e", f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}"],
            check=True,
        )
    manage(env, "migrate", "-v0")
    manage(env, "createworkspace", "bench", "--admin-password", "bench password 1", "--json")
    app = json.loads(manage(env, "registerapp", "--workspace", "bench", "--owner", "admin", "--name", "bench",
                            "--website", "https://example.com", "--json"))  # fmt: skip
    body = f"grant_type=client_credentials&client_id={app['client_id']}&client_secret={app['client_secret']}"

    query_count = manage(env, "shell", "-c", (
        "from django.test import Client; from django.db import connection; "
        "from django.test.utils import CaptureQueriesContext; c = Client(HTTP_HOST=\"127.0.0.1\"); "
        f"body = '{body}'; ct = 'application/x-www-form-urlencoded'; "
        "c.post('/bench/oauth2/token', body, content_type=ct)\n"
        "with CaptureQueriesContext(connection) as q: c.post('/bench/oauth2/token', body, content_type=ct)\n"
        "print(', '.join(' '.join(x['sql'].split()[:3]) for x in q.captured_queries))"
    )).strip().splitlines()[-1]  # fmt: skip

    port = 18765
    gunicorn = [str(Path(PYTHON).parent / "gunicorn"), "pmsite.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*gunicorn, "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/bench/oauth2/token"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        timings = []
        for _ in range(50):
            start = time.perf_counter()
            request = urllib.request.Request(url, body.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
            with urllib.request.urlopen(request) as response:  # noqa: S310
                assert "access_token" in json.load(response)
            timings.append((time.perf_counter() - start) * 1000)
        script = tmp / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body)}\n"
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        wrk = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{DURATION}s", "-s", str(script), url], capture_output=True, text=True, check=True
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    rate = next(line for line in wrk.stdout.splitlines() if line.startswith("Requests/sec"))
    non2xx = [line.strip() for line in wrk.stdout.splitlines() if "Non-2xx" in line or "Socket errors" in line]
    print(f"database: {env['DATABASE_URL'].split(':')[0]}")
    print(f"SQL per client_credentials token (after a warm-up request): {query_count}")
    print(f"one request over HTTP: median {sorted(timings)[len(timings) // 2]:.1f} ms")
    print(f"wrk -t2 -c8 -d{DURATION}s, gunicorn -w 2: {rate.split(':')[1].strip()} tokens/s {' '.join(non2xx)}")


if __name__ == "__main__":
    main()
