"""Does the work stay fast when OAUTH_ACCESS_TOKENS is large?

    make bench-scale     (SCALE_ROWS=10000000 by default; MariaDB only: the rows come from its
                          sequence tables; several minutes, with progress)

Measures the bearer GET of /light/user/data and client_credentials tokens (wrk -t2 -c8, ROUNDS
runs each, medians) with 10,000 rows in OAUTH_ACCESS_TOKENS, then adds rows (half of them with a
refresh token) up to SCALE_ROWS and measures again; prints both, the ratio, and whether it is
within the issue's 10%, and writes bench/results/scale-<date>.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import urllib.parse
from datetime import date

import rows
from compare import bearer, form_post, rate_of, token_from
from harness import DEFAULT_SERVER, Bench, publish

SCALE_ROWS = int(os.environ.get("SCALE_ROWS", "10000000"))
BASE_ROWS = 10_000
ROUNDS = int(os.environ.get("ROUNDS", "3"))


def measure(bench: Bench, token_url: str, body: str) -> dict[str, float]:
    token = token_from(token_url, body)
    runs = {
        "bearer GET of /light/user/data": (f"{bench.base}/api/1.0/bench/light/user/data", bearer(token)),
        "client_credentials token": (token_url, form_post(body)),
    }
    results: dict[str, list[str]] = {}
    for _ in range(ROUNDS):
        for name, (url, lua) in runs.items():
            results.setdefault(name, []).append(bench.wrk(url, lua))
    for name, outcomes in results.items():
        if any(" " in outcome for outcome in outcomes):
            sys.exit(f"{name}: non-2xx answers: {outcomes}")
    return {name: statistics.median(rate_of(outcome) for outcome in outcomes) for name, outcomes in results.items()}


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_bench_scale")
    bench = Bench()
    database = bench.env["DATABASE_URL"].rsplit("/", 1)[1]
    body = "grant_type=client_credentials&" + urllib.parse.urlencode(
        {k: bench.client[k] for k in ("client_id", "client_secret")}
    )
    token_url = f"{bench.base}/bench/oauth2/token"
    rows.fill(database, BASE_ROWS)
    with bench.server():
        small = measure(bench, token_url, body)
        before = rows.count(database, "OAUTH_ACCESS_TOKENS")
        rows.fill(database, SCALE_ROWS - before, label="filling: ")
        large_rows = rows.count(database, "OAUTH_ACCESS_TOKENS")
        refresh_rows = rows.count(database, "OAUTH_REFRESH_TOKENS")
        large = measure(bench, token_url, body)
    lines = [
        f"# pm-oauth with {large_rows:,} access tokens, {date.today().isoformat()}",
        "",
        f"wrk -t2 -c8 -d{os.environ.get('BENCH_SECONDS', '10')}s, medians of {ROUNDS} runs, requests/s; "
        f"{os.environ.get('BENCH_SERVER', DEFAULT_SERVER)} on {bench.database}; {refresh_rows:,} refresh tokens.",
        "",
        f"| request | {before:,} rows | {large_rows:,} rows | ratio | within 10% |",
        "|---|---|---|---|---|",
    ]
    for name in small:
        ratio = large[name] / small[name]
        verdict = "yes" if ratio >= 0.9 else "no"
        lines.append(f"| {name} | {small[name]:,.0f} | {large[name]:,.0f} | {ratio:.2f} | {verdict} |")
    publish("scale-", lines)


if __name__ == "__main__":
    main()
