"""Faults under load, each on services this test starts on its own data directory and port (never
the MariaDB or Redis the rest of the suite uses):

- MariaDB killed and restarted while four clients ask for tokens as fast as they can: no 500 at
  all, a 503 in well under the client's patience while it is down, tokens again within 5 s of the
  database being back, and every token that was answered 200 is in the table afterwards.
- Redis killed: tokens keep coming (the login counters move to MySQL's pm_shared_cache, where
  every node sees them), the log says so, and /ready answers "degraded"; Redis back, /ready is
  "ready" again. (This one uses a database of its own on the suite's MariaDB.)
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import MySQLdb
import pytest
import redis

from tests.live import free_port, manage, open_url, serve, stop, wait_until_up
from tests.programs import program

pytestmark = [pytest.mark.live, pytest.mark.fault, pytest.mark.own_database]
PASSWORD = "a fault test password"
CLIENTS = 4
LOAD_SECONDS = 16.0
DOWN_AT, UP_AT = 4.0, 8.0  # seconds into the load


def bootstrap(env: dict[str, str]) -> dict[str, str]:
    """Migrate, make workspace "faults" with a user and a client; the client's credentials."""
    manage(env, "migrate", "--noinput")
    manage(env, "createworkspace", "faults", "--admin-password", PASSWORD)
    app = manage(env, "registerapp", "--workspace", "faults", "--owner", "admin", "--name", "Load",
                 "--website", "https://load.example", "--json")  # fmt: skip
    return json.loads(app)  # type: ignore[no-any-return]


def token_request(base: str, body: dict[str, str]) -> tuple[int, dict[str, Any]]:
    data = urllib.parse.urlencode(body).encode()
    status, _, answer = open_url(
        f"{base}/faults/oauth2/token", {"Content-Type": "application/x-www-form-urlencoded"}, data, "POST"
    )
    try:
        return status, json.loads(answer)
    except ValueError:
        return status, {"raw": answer[:200].decode(errors="replace")}


# --- MariaDB ----------------------------------------------------------------------------------


@dataclass
class MariaDB:
    datadir: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        daemon = program("mariadbd")
        self.process = subprocess.Popen(
            [daemon, "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--socket={self.datadir}/mysqld.sock", f"--pid-file={self.datadir}/mysqld.pid", "--user=root",
             "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=32M"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # no clean shutdown: a crash
        self.process.wait()

    def answers(self) -> bool:
        try:
            MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
            return True
        except MySQLdb.Error:
            return False

    def wait(self, seconds: float = 60) -> float:
        deadline = time.monotonic() + seconds
        while not self.answers():
            assert time.monotonic() < deadline, f"MariaDB on {self.port} did not start: {self.log.read_text()[-2000:]}"
            time.sleep(0.1)
        return time.monotonic()


@pytest.fixture
def own_mariadb(tmp_path: Path) -> Iterator[MariaDB]:
    datadir = tmp_path / "mariadb"
    installer = program("mariadb-install-db")
    subprocess.run(
        [installer, "--no-defaults", f"--datadir={datadir}", "--user=root", "--skip-test-db",
         "--auth-root-authentication-method=normal"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    mariadb = MariaDB(datadir, free_port(), tmp_path / "mariadb.log")
    mariadb.start()
    mariadb.wait()
    connection = MySQLdb.connect(host="127.0.0.1", port=mariadb.port, user="root")
    with connection.cursor() as cursor:
        cursor.execute("CREATE DATABASE pm_faults CHARACTER SET utf8mb4")
    connection.close()
    try:
        yield mariadb
    finally:
        if mariadb.process is not None and mariadb.process.poll() is None:
            mariadb.kill()


@dataclass
class Answer:
    sent: float
    took: float
    status: int
    token: str | None


@dataclass
class Load:
    began: float = field(default_factory=time.monotonic)
    answers: list[Answer] = field(default_factory=list)

    def run(self, base: str, body: dict[str, str]) -> None:
        while (now := time.monotonic()) < self.began + LOAD_SECONDS:
            status, answer = token_request(base, body)
            token = answer.get("access_token") if status == 200 else None
            self.answers.append(Answer(now - self.began, time.monotonic() - now, status, token))


def test_mariadb_restarted_under_load(own_mariadb: MariaDB, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"mysql://root@127.0.0.1:{own_mariadb.port}/pm_faults", "PM_ALLOW_HTTP": "1",
           "SECRET_KEY": "fault test key", "REDIS_URL": "redis://127.0.0.1:6379/13"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    client = bootstrap(env)
    port = free_port()
    server = serve(env, port, tmp_path / "server.log", workers=2)
    base = f"http://127.0.0.1:{port}"
    body = {"grant_type": "client_credentials", **{k: client[k] for k in ("client_id", "client_secret")}}
    try:
        wait_until_up(f"{base}/health", server)
        load = Load()
        threads = [threading.Thread(target=load.run, args=(base, body)) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, load.began + DOWN_AT - time.monotonic()))
        own_mariadb.kill()
        down = time.monotonic() - load.began
        time.sleep(max(0.0, load.began + UP_AT - time.monotonic()))
        own_mariadb.start()
        back = own_mariadb.wait() - load.began
        for thread in threads:
            thread.join(timeout=LOAD_SECONDS + 30)
    finally:
        stop(server)
    statuses = sorted({answer.status for answer in load.answers})
    summary = {status: sum(a.status == status for a in load.answers) for status in statuses}
    print(f"\nMariaDB killed at {down:.1f} s, answering again at {back:.1f} s; answers by status: {summary}")
    assert set(statuses) <= {200, 503}, summary  # never a 500
    while_down = [a for a in load.answers if down + 0.5 < a.sent < back - 0.5]
    assert while_down and all(a.status == 503 for a in while_down)
    assert max(a.took for a in while_down) < 4.0  # refused fast, not after the whole timeout
    first_ok = min(a.sent + a.took for a in load.answers if a.status == 200 and a.sent > back)
    print(
        f"503s while down: {len(while_down)}, slowest {max(a.took for a in while_down) * 1000:.0f} ms; "
        f"first token {first_ok - back:.2f} s after MariaDB answered again"
    )
    assert first_ok - back < 5.0, (first_ok, back)
    answered = [a.token for a in load.answers if a.token]
    connection = MySQLdb.connect(host="127.0.0.1", port=own_mariadb.port, user="root", database="pm_faults")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ACCESS_TOKEN FROM OAUTH_ACCESS_TOKENS")
        stored = {row[0] for row in cursor.fetchall()}
    connection.close()
    assert len(answered) > 50 and not set(answered) - stored  # every 200 was committed first
    # No log storm either: no traceback per refused request, a warning per worker every 5 s at most.
    logged = (tmp_path / "server.log").read_text()
    assert "Traceback" not in logged
    assert 1 <= logged.count("the database is not answering") <= 2 * (int((back - down) / 5) + 2)


# --- Redis ------------------------------------------------------------------------------------


def start_redis(port: int, log: Path) -> subprocess.Popen[bytes]:
    server = program("redis-server")
    return subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def test_redis_down_degrades_to_the_database_and_says_so(tmp_path: Path) -> None:
    database = MySQLdb.connect(host="127.0.0.1", port=3306, user="root")
    with database.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS pm_faults_redis")
        cursor.execute("CREATE DATABASE pm_faults_redis CHARACTER SET utf8mb4")
    redis_port = free_port()
    redis_server = start_redis(redis_port, tmp_path / "redis.log")
    env = {**os.environ, "DATABASE_URL": "mysql://root@127.0.0.1:3306/pm_faults_redis", "PM_ALLOW_HTTP": "1",
           "SECRET_KEY": "fault test key", "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    client = bootstrap(env)
    port = free_port()
    log = tmp_path / "server.log"
    server = serve(env, port, log, workers=1)
    base = f"http://127.0.0.1:{port}"
    credentials = {k: client[k] for k in ("client_id", "client_secret")}
    login = {"grant_type": "password", "username": "admin", "password": PASSWORD, **credentials}
    try:
        wait_until_up(f"{base}/health", server)
        assert token_request(base, login)[0] == 200
        assert json.loads(open_url(f"{base}/ready")[2])["status"] == "ready"
        stop(redis_server)
        for body in (login, {"grant_type": "client_credentials", **credentials}):
            status, answer = token_request(base, body)
            assert status == 200 and "access_token" in answer, answer
        status, _, ready = open_url(f"{base}/ready")
        assert status == 200 and json.loads(ready)["status"] == "degraded"
        assert json.loads(ready)["checks"]["redis"].startswith("down")
        # Failed logins still count, in the database now: a wrong password, then the limits hold.
        wrong = {**login, "password": "not the password"}
        answers = [token_request(base, wrong)[1]["error_description"] for _ in range(9)]
        assert "minutes" not in answers[0] and "minutes" in token_request(base, login)[1]["error_description"]
        with database.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pm_faults_redis.pm_shared_cache WHERE cache_key LIKE %s", ("%login%",))
            assert cursor.fetchone()[0] > 0  # the counts are in the database, where every node sees them
        redis_server = start_redis(redis_port, tmp_path / "redis.log")
        deadline = time.monotonic() + 10
        while json.loads(open_url(f"{base}/ready")[2])["status"] != "ready":
            assert time.monotonic() < deadline, "Redis came back but /ready did not say so"
            time.sleep(0.2)
    finally:
        stop(server)
        stop(redis_server)
        with database.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS pm_faults_redis")
        database.close()
    assert "Redis is not answering" in log.read_text()


def test_a_revocation_redis_missed_reaches_the_other_workers_once_redis_answers(tmp_path: Path) -> None:
    """Worker A revokes a token while Redis takes no writes, so the version that tells every process
    to drop what it keeps is not renewed. Worker B keeps the token's lookup; once Redis takes writes
    again, A's retry renews it and B refuses the token within 2 s (without it: B's cache bound, 10 s)."""
    redis_port = free_port()
    redis_server = start_redis(redis_port, tmp_path / "redis.log")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PM_ALLOW_HTTP": "1",
           "SECRET_KEY": "fault test key", "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
           "PM_TOKEN_CACHE_SECONDS": "10"}  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    servers = []
    try:
        client = bootstrap(env)
        ports = [free_port(), free_port()]
        servers = [serve(env, port, tmp_path / f"worker{n}.log") for n, port in enumerate(ports)]
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        for base, server in zip((a, b), servers, strict=True):
            wait_until_up(f"{base}/health", server)
        body = {"grant_type": "client_credentials", **{k: client[k] for k in ("client_id", "client_secret")}}
        token = token_request(a, body)[1]["access_token"]
        me = f"{b}/api/1.0/faults/light/user/data"
        for _ in range(2):  # B keeps the lookup
            assert open_url(me, {"Authorization": f"Bearer {token}"})[0] == 200
        stalled = redis.Redis(host="127.0.0.1", port=redis_port)
        stalled.execute_command("CLIENT", "PAUSE", "1500", "WRITE")
        resumed = time.monotonic() + 1.5
        assert open_url(f"{a}/faults/oauth2/{token}", method="DELETE")[0] == 200  # deleted, version not renewed
        refused_at = None
        while time.monotonic() < resumed + 8:
            if open_url(me, {"Authorization": f"Bearer {token}"})[0] == 401:
                refused_at = time.monotonic()
                break
            time.sleep(0.05)
        assert refused_at is not None, "B kept accepting a deleted token"
        assert refused_at - resumed < 2.0, refused_at - resumed
        assert "was not written to Redis" in (tmp_path / "worker0.log").read_text()
        assert "reached Redis after all" in (tmp_path / "worker0.log").read_text()
    finally:
        for server in servers:
            stop(server)
        stop(redis_server)
