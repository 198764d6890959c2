"""What one version key per cache costs the bearer path: would finer keys pay?

    .venv/bin/python bench/version_churn.py      (TOKENS=200, RATES=0,1,10,100, ROUNDS=3, BENCH_SECONDS=10)

Each process keeps bearer lookups under one shared version (oauth_apps.bearer.TOKENS), renewed by
every committed write to the tables behind them: a web login (its session link), a page view's
session slide, a revoked token, a changed user. Each renewal makes every kept lookup of every
process a miss once. Finer keys (per user, per token) would spare the other tokens that miss. This
serves pm-oauth (the production default server, MariaDB database pm_churn, Redis) and sends bearer
GETs spread round robin over TOKENS tokens while a thread renews the version RATE times a second,
as those writes would; RATE 0 is what perfectly fine keys would give at most. Interleaved rounds,
medians; a non-2xx answer is reported.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import threading
import urllib.parse

import redis
from ab import measure
from compare import token_from
from harness import Bench

TOKENS = int(os.environ.get("TOKENS", "200"))
RATES = [int(rate) for rate in os.environ.get("RATES", "0,1,10,100").split(",")]
ROUNDS = int(os.environ.get("ROUNDS", "3"))
VERSION_KEY = "pm:1:oauth:bearer:version"  # the cache's KEY_PREFIX, Django's key version, the key


def round_robin(tokens: list[str]) -> str:
    """A wrk script: each request the next token, each thread starting elsewhere in the list."""
    quoted = ", ".join(json.dumps(token) for token in tokens)
    return f"""
local tokens = {{{quoted}}}
local next_thread = 0
function setup(thread)
  thread:set("start", next_thread * {len(tokens) // 2})
  next_thread = next_thread + 1
end
function init(args) position = start end
function request()
  position = position % #tokens + 1
  return wrk.format("GET", nil, {{["Authorization"] = "Bearer " .. tokens[position]}})
end
"""


class Renewer(threading.Thread):
    """Renews the bearer lookups' version `rate` times a second until stopped."""

    def __init__(self, url: str, rate: int) -> None:
        super().__init__(daemon=True)
        self.client, self.rate, self.stopped = redis.Redis.from_url(url), rate, threading.Event()

    def run(self) -> None:
        while self.rate and not self.stopped.wait(1 / self.rate):
            self.client.set(VERSION_KEY, secrets.token_hex(8))


def main() -> None:
    bench = Bench(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_churn"))
    redis_url = bench.env.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("the lookups are kept only with Redis: unset BENCH_REDIS_URL=")
    client = urllib.parse.urlencode({k: bench.client[k] for k in ("client_id", "client_secret")})
    token_url, url = f"{bench.base}/bench/oauth2/token", f"{bench.base}/api/1.0/bench/light/user/data"
    runs: dict[int, list[tuple[float, ...]]] = {rate: [] for rate in RATES}
    with bench.server() as server:
        tokens = [token_from(token_url, f"grant_type=client_credentials&{client}") for _ in range(TOKENS)]
        script = round_robin(tokens)
        for number in range(ROUNDS):
            for rate in RATES if number % 2 == 0 else list(reversed(RATES)):
                renewer = Renewer(redis_url, rate)
                renewer.start()
                try:
                    run, problems = measure(bench, server, url, script)
                finally:
                    renewer.stopped.set()
                    renewer.join()
                runs[rate].append(run)
                print(f"round {number + 1} {rate:4}/s renewals  {run[0]:8,.0f}/s  server {run[1]:.3f} ms  "
                      f"MariaDB {run[3]:.3f} ms  {problems}", flush=True)  # fmt: skip
    base = statistics.median(run[0] for run in runs[RATES[0]])
    print(f"\n{TOKENS} tokens, medians of {ROUNDS} rounds; ratio against {RATES[0]} renewals a second")
    for rate in RATES:
        rps = statistics.median(run[0] for run in runs[rate])
        cpu = statistics.median(run[1] for run in runs[rate])
        database = statistics.median(run[3] for run in runs[rate])
        print(
            f"{rate:4} renewals/s  {rps:8,.0f}/s  ratio {rps / base:.3f}  server {cpu:.3f} ms  "
            f"MariaDB {database:.3f} ms"
        )


if __name__ == "__main__":
    main()
