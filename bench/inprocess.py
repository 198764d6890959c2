"""What each hot request costs in Python, in-process: no HTTP server, no wrk, no other process.

    .venv/bin/python bench/inprocess.py                  # every request, 1,000 times each
    .venv/bin/python bench/inprocess.py bearer --profile # one request under cProfile (top 40)
    .venv/bin/python bench/inprocess.py bearer --queries # the SQL one request sends

Sets up a MariaDB database (pm_bench_inprocess; DATABASE_URL for another) with workspace `bench`,
its admin and a client, then calls Django's WSGI handler directly and prints, per request, the
wall time and the CPU time of this process (the CPU figure leaves out waiting for the database,
so it is the steadier of the two on a shared machine). The password grant's line leaves Argon2id
out (its verify is replaced by one that always agrees), since bench/argon2_verify.py times that.

    VERIFY=real .venv/bin/python bench/inprocess.py password   # or VERIFY=sleep, VERIFY=busy

puts something in the verify's place (the real Argon2id; a 16 ms sleep; 16 ms of busy Python) and
also prints the medians of the request's time before and after it: what the rest of the grant
costs when 16 ms pass between requests, as they do at one connection over HTTP. DIRECT=off sends
every grant through oauthlib (`oauth_apps.fast_grants` answers none).
"""

from __future__ import annotations

import base64
import cProfile
import io
import json
import logging
import os
import pstats
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from harness import ADMIN_PASSWORD, ROOT, Bench

COUNT = int(os.environ.get("COUNT", "1000"))
VERIFY = os.environ.get("VERIFY", "stub")
STAND_IN_SECONDS = 0.016  # about one Argon2id verify here
ROUNDS = int(os.environ.get("ROUNDS", "3"))


def main() -> None:
    bench = Bench(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_bench_inprocess"))
    os.environ.update(bench.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmsite.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oauth_apps import fast_grants
    from workspaces import hashers

    fast_grants.ENABLED = os.environ.get("DIRECT", "on") != "off"
    handler = get_wsgi_application()
    # The request log is written as in production (bench.env turns it on), to /dev/null, not here.
    for log_handler in logging.getLogger().handlers:
        if isinstance(log_handler, logging.StreamHandler):
            log_handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the life of the process

    verified: list[float] = []  # when the current request's verify began and ended
    phases: list[tuple[float, float]] = []  # per request: seconds before the verify, after it

    def call(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/x-www-form-urlencoded", **(headers or {}),
        }  # fmt: skip
        statuses: list[str] = []
        verified.clear()
        began = time.perf_counter()
        answer = b"".join(handler(environ, lambda status, *rest: statuses.append(status)))  # type: ignore[arg-type]
        if len(verified) == 2:
            phases.append((verified[0] - began, time.perf_counter() - verified[1]))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[0]}: {answer[:300]!r}")
        return answer

    client = {k: bench.client[k] for k in ("client_id", "client_secret")}
    credentials = urllib.parse.urlencode(client)
    body = f"grant_type=client_credentials&{credentials}".encode()
    basic = "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
    password = f"grant_type=password&username=admin&password={urllib.parse.quote(ADMIN_PASSWORD)}&{credentials}"
    token = json.loads(call("POST", "/bench/oauth2/token", body))["access_token"]
    chain = [json.loads(call("POST", "/bench/oauth2/token", password.encode()))["refresh_token"]]

    def refresh() -> bytes:
        form = f"grant_type=refresh_token&refresh_token={chain[0]}&{credentials}".encode()
        answer = call("POST", "/bench/oauth2/token", form)
        chain[0] = json.loads(answer)["refresh_token"]
        return answer

    requests: dict[str, Callable[[], Any]] = {
        "client_credentials (body)": lambda: call("POST", "/bench/oauth2/token", body),
        "client_credentials (Basic)": lambda: call(
            "POST", "/bench/oauth2/token", b"grant_type=client_credentials", {"HTTP_AUTHORIZATION": basic}
        ),
        "refresh_token": refresh,
        "password (without Argon2id)": lambda: call("POST", "/bench/oauth2/token", password.encode()),
        "bearer GET /light/user/data": lambda: call(
            "GET", "/api/1.0/bench/light/user/data", headers={"HTTP_AUTHORIZATION": f"Bearer {token}"}
        ),
        "/health": lambda: call("GET", "/health"),
    }
    real_verify = hashers.PMArgon2PasswordHasher.verify

    def verify(self: hashers.PMArgon2PasswordHasher, password: str, encoded: str) -> bool:
        verified.append(time.perf_counter())
        if VERIFY == "real":
            agrees = real_verify(self, password, encoded)
        elif VERIFY == "sleep":
            time.sleep(STAND_IN_SECONDS)
        elif VERIFY == "busy":
            until = time.perf_counter() + STAND_IN_SECONDS
            while time.perf_counter() < until:
                pass
        verified.append(time.perf_counter())
        return agrees if VERIFY == "real" else True

    hashers.PMArgon2PasswordHasher.verify = verify  # type: ignore[method-assign, assignment]
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    chosen = [name for name in requests if not names or name.startswith(names[0])]
    if not chosen:
        raise SystemExit(f"no request starts with {names[0]!r}: {', '.join(requests)}")
    for name in chosen:
        for _ in range(COUNT // 10):  # warm up: statements compiled, caches filled
            requests[name]()
        if "--queries" in sys.argv:
            with CaptureQueriesContext(connection) as queries:
                requests[name]()
            print(f"{name}: {len(queries)} statements")
            for query in queries:
                print("   ", query["sql"][:300])
            continue
        if "--profile" in sys.argv:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
        # The best of ROUNDS: on a shared machine the other processes only ever add time.
        timings = []
        for _ in range(1 if "--profile" in sys.argv else ROUNDS):
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(COUNT):
                requests[name]()
            timings.append((time.process_time() - cpu, time.perf_counter() - wall))
        cpu, wall = min(timings)
        label = name.replace("without Argon2id", f"VERIFY={VERIFY}") if VERIFY != "stub" else name
        print(f"{label:<30} wall {wall / COUNT * 1000:6.3f} ms   cpu {cpu / COUNT * 1000:6.3f} ms")
        if phases and VERIFY != "stub":
            before, after = (statistics.median(phase[index] for phase in phases) * 1000 for index in (0, 1))
            print(f"{'':<30} before the verify {before:.2f} ms, after it {after:.2f} ms (medians)")
        phases.clear()
        if "--profile" in sys.argv:
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
            if os.environ.get("PROFILE_OUT"):
                profile.dump_stats(os.environ["PROFILE_OUT"])


if __name__ == "__main__":
    main()
