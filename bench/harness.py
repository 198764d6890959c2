"""Shared set-up for the HTTP benchmarks: a fresh database, a workspace, gunicorn, wrk."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_SECONDS", "10")
PORT = int(os.environ.get("BENCH_PORT", "18765"))


# How pm-oauth can be served: "<server>:<workers>[x<threads>]". The default is the production
# default (docker/entrypoint.sh); `make bench-servers` compares them.
SERVERS = ("sync", "gthread", "granian")
ADMIN_PASSWORD = "bench password 1"
DEFAULT_SERVER = "granian:2x2"


def server_command(spec: str, port: int) -> list[str]:
    kind, _, size = spec.partition(":")
    workers, _, threads = (size or "2").partition("x")
    bin_dir = Path(PYTHON).parent
    if kind == "sync":
        return [str(bin_dir / "gunicorn"), "pmsite.wsgi", "-w", workers, "-b", f"127.0.0.1:{port}",
                "--log-level", "warning"]  # fmt: skip
    if kind == "gthread":
        return [str(bin_dir / "gunicorn"), "pmsite.wsgi", "-w", workers, "-k", "gthread", "--threads", threads or "4",
                "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    if kind == "granian":
        return [str(bin_dir / "granian"), "--interface", "wsgi", "--workers", workers, "--blocking-threads",
                threads or "1", "--host", "127.0.0.1", "--port", str(port), "--no-ws", "--log-level", "warning",
                "pmsite.wsgi:application"]  # fmt: skip
    raise SystemExit(f"unknown server {spec!r}: one of {', '.join(SERVERS)}, as <server>:<workers>[x<threads>]")


def publish(name: str, lines: list[str]) -> None:
    """Print a report and keep it as bench/results/<name><date>.md (name "" or ending in "-"); a
    later run on the same day goes to <name><date>-2.md, -3 and so on, so no run is lost."""
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    stem = f"{name}{date.today().isoformat()}"
    kept, run = results / f"{stem}.md", 1
    while kept.exists():
        run += 1
        kept = results / f"{stem}-{run}.md"
    kept.write_text(report)
    print(f"kept as {kept.relative_to(ROOT)}", file=sys.stderr)


class Bench:
    """A migrated database with workspace `bench`, its admin and one registered client."""

    def __init__(self, database_url: str = "", port: int = PORT, fresh: bool = True) -> None:
        """On `database_url` (default: DATABASE_URL, else a temporary SQLite file), served on
        `port`. `fresh`: drop and recreate the database first; otherwise keep it and its rows
        (migrated, its workspace and admin already made) and register one more client."""
        if not shutil.which("wrk"):
            sys.exit("wrk is not installed: apt-get install wrk")
        self.tmp = Path(tempfile.mkdtemp(prefix="pm-bench-"))
        self.env = {
            **os.environ,
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only"),
            "PM_VAR_DIR": str(self.tmp),
            "PM_ALLOW_HTTP": "1",  # wrk speaks plain HTTP to 127.0.0.1
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        # Redis as in production (docker/compose.yaml): it is what lets each process keep the
        # workspace rows, clients and bearer lookups it read (their versions live there).
        # BENCH_REDIS_URL= to go without.
        # And as docker/entrypoint.sh runs it: a request-log line per request, and the Prometheus
        # counters of all workers in a directory (the server's output goes to server-<port>.log).
        self.metrics = self.tmp / "metrics"
        self.metrics.mkdir()
        self.env.update(PM_ACCESS_LOG="1", PROMETHEUS_MULTIPROC_DIR=str(self.metrics))
        redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
        if redis_url:
            subprocess.run(["redis-cli", "-u", redis_url, "FLUSHDB"], check=True, capture_output=True)
            self.env["REDIS_URL"] = redis_url
        else:
            self.env.pop("REDIS_URL", None)
        self.env.setdefault("DATABASE_URL", f"sqlite:///{self.tmp / 'bench.sqlite3'}")
        if fresh:
            if self.env["DATABASE_URL"].startswith("mysql://"):
                name = self.env["DATABASE_URL"].rsplit("/", 1)[1]
                statement = f"DROP DATABASE IF EXISTS {name}; CREATE DATABASE {name}"
                subprocess.run(["mysql", "-uroot", "-h127.0.0.1", "-e", statement], check=True)
            self.manage("migrate", "-v0")
            self.manage("createworkspace", "bench", "--admin-password", ADMIN_PASSWORD, "--json")
        self.client = json.loads(
            self.manage("registerapp", "--workspace", "bench", "--owner", "admin", "--name", "bench",
                        "--website", "https://example.com", "--json")
        )  # fmt: skip
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    @property
    def database(self) -> str:
        return self.env["DATABASE_URL"].split(":")[0] + (" and Redis" if self.env.get("REDIS_URL") else ", no Redis")

    def manage(self, *args: str) -> str:
        command = [PYTHON, "manage.py", *args]
        return subprocess.run(command, cwd=ROOT, env=self.env, check=True, capture_output=True, text=True).stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).strip().splitlines()[-1]

    def at(self, port: int) -> Bench:
        """This bench, for a server on `port` (the same database, workspace and client)."""
        other = copy.copy(self)
        other.port, other.base = port, f"http://127.0.0.1:{port}"
        return other

    @contextmanager
    def server(self, spec: str = "", tree: Path = ROOT) -> Iterator[subprocess.Popen[bytes]]:
        """pm-oauth from the checkout `tree` served as `spec` (SERVERS), by default BENCH_SERVER or
        the production default; yields the server's main process."""
        command = server_command(spec or os.environ.get("BENCH_SERVER", DEFAULT_SERVER), self.port)
        metrics = self.metrics / str(self.port)  # each server its own (bench/ab.py runs two)
        metrics.mkdir(exist_ok=True)
        for leftover in metrics.iterdir():  # as the entrypoint does: each server starts afresh
            leftover.unlink()
        env = {**self.env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        log = (self.tmp / f"server-{self.port}.log").open("ab")
        server = subprocess.Popen(command, cwd=tree, env=env, start_new_session=True, stdout=log, stderr=log)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{self.base}/health", timeout=1)  # noqa: S310 - loopback
                    break
                except OSError:
                    time.sleep(0.1)
            yield server
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
            log.close()

    def median_ms(self, request: urllib.request.Request, count: int = 50) -> float:
        timings = []
        for _ in range(count):
            start = time.perf_counter()
            with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
                response.read()
            timings.append((time.perf_counter() - start) * 1000)
        return sorted(timings)[count // 2]

    def p50_ms(self, url: str, lua: str = "") -> tuple[float, str]:
        """The median latency in ms over one kept-alive connection (`wrk -t1 -c1 --latency`, as a
        client that reuses its connection sees it), and any problems wrk reports."""
        output = self.run_wrk(url, lua, "-t1", "-c1", "--latency")
        value, unit = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], " ".join(self.problems(output))

    def run_wrk(self, url: str, lua: str, *options: str) -> str:
        script = self.tmp / "request.lua"
        script.write_text(lua)
        result = subprocess.run(
            ["wrk", *options, f"-d{DURATION}s", "-s", str(script), url], capture_output=True, text=True, check=True
        )
        if result.stderr.strip():  # a script wrk could not run: it would measure plain GETs instead
            raise SystemExit(f"wrk: {result.stderr.strip()}")
        return result.stdout

    @staticmethod
    def problems(output: str) -> list[str]:
        lines = output.splitlines()
        found = [line.strip() for line in lines if "Non-2xx" in line or "Socket errors" in line]
        return found + [line.strip() for line in lines if line.startswith("Error answers") and not line.endswith(" 0")]

    def wrk(self, url: str, lua: str = "") -> str:
        """Requests per second from `wrk -t2 -c8`, with any non-2xx count (and the count of error
        answers, when the script reports them: see compare.ERROR_ANSWERS)."""
        output = self.run_wrk(url, lua, "-t2", "-c8")
        rate = next(line for line in output.splitlines() if line.startswith("Requests/sec")).split(":")[1].strip()
        problems = self.problems(output)
        return " ".join([rate, *problems])
