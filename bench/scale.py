"""Does the work stay fast when OAUTH_ACCESS_TOKENS is large?

    make bench-scale     (SCALE_ROWS=10000000 by default; MariaDB only: the rows come from its
                          sequence tables; 15 minutes or so, with progress. SCALE_REUSE=1 keeps a
                          database a previous run filled.)

Two databases side by side: one with 10,000 access tokens, one with SCALE_ROWS (half of them with
a refresh token), each served by its own pm-oauth. Once the big one is filled and InnoDB has
written its dirty pages out, the bearer GET of /light/user/data and client_credentials tokens are
measured on both, interleaved (wrk -t2 -c8, ROUNDS rounds, medians); prints both, the ratio, and
whether it is within the issue's 10%, and writes bench/results/scale-<date>.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
from contextlib import ExitStack

import rows
from compare import bearer, form_post, rate_of, token_from
from harness import DEFAULT_SERVER, PORT, Bench, publish

SCALE_ROWS = int(os.environ.get("SCALE_ROWS", "10000000"))
BASE_ROWS = 10_000
ROUNDS = int(os.environ.get("ROUNDS", "3"))
# 10 million tokens with their indexes are some GiB; MariaDB's default 128 MiB buffer pool would
# make every INSERT wait on the disk for its random checksum index pages: a measure of the disk,
# not of us. A production database is sized for its data, so the run asks for this much (online,
# SET GLOBAL, restored at the end) and says what it used.
BUFFER_POOL = int(os.environ.get("BUFFER_POOL_BYTES", str(4 * 1024**3)))
SMALL, LARGE = "pm_bench_scale_small", "pm_bench_scale"


def requests_of(bench: Bench) -> dict[str, tuple[str, str]]:
    body = "grant_type=client_credentials&" + urllib.parse.urlencode(
        {k: bench.client[k] for k in ("client_id", "client_secret")}
    )
    token_url = f"{bench.base}/bench/oauth2/token"
    return {
        "bearer GET of /light/user/data": (
            f"{bench.base}/api/1.0/bench/light/user/data",
            bearer(token_from(token_url, body)),
        ),
        "client_credentials token": (token_url, form_post(body)),
    }


def settle(database: str) -> None:
    """Wait until InnoDB has written out the pages the fill dirtied (it would compete with us)."""
    while True:
        dirty = int(rows.mysql(database, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                                         "WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY'"))  # fmt: skip
        if dirty < 1000:
            return
        print(f"waiting for InnoDB to write {dirty:,} dirty pages", file=sys.stderr, flush=True)
        time.sleep(10)


def main() -> None:
    pool_before = int(rows.mysql("mysql", "SELECT @@innodb_buffer_pool_size"))
    if pool_before < BUFFER_POOL:
        rows.mysql("mysql", f"SET GLOBAL innodb_buffer_pool_size = {BUFFER_POOL}")
    try:
        run(int(rows.mysql("mysql", "SELECT @@innodb_buffer_pool_size")))
    finally:
        if pool_before < BUFFER_POOL:
            rows.mysql("mysql", f"SET GLOBAL innodb_buffer_pool_size = {pool_before}")


def run(pool: int) -> None:
    url = "mysql://root@127.0.0.1:3306/"
    reuse = os.environ.get("SCALE_REUSE") == "1" and rows.mysql("mysql", f"SHOW DATABASES LIKE '{LARGE}'") == LARGE
    small = Bench(url + SMALL, port=PORT)
    large = Bench(url + LARGE, port=PORT + 1, fresh=not reuse)
    rows.fill(SMALL, BASE_ROWS)
    missing = SCALE_ROWS - rows.count(LARGE, "OAUTH_ACCESS_TOKENS")
    if missing > 0:
        rows.fill(LARGE, missing, label="filling: ")
    settle(LARGE)
    counts = {bench: rows.count(name, "OAUTH_ACCESS_TOKENS") for bench, name in ((small, SMALL), (large, LARGE))}
    measured: dict[tuple[str, Bench], list[str]] = {}
    with ExitStack() as servers:
        for bench in (small, large):
            servers.enter_context(bench.server())
        requests = {bench: requests_of(bench) for bench in (small, large)}
        for round_number in range(1, ROUNDS + 1):
            for name in requests[small]:
                for bench in (small, large):
                    measured.setdefault((name, bench), []).append(bench.wrk(*requests[bench][name]))
            print(f"round {round_number} of {ROUNDS} done", file=sys.stderr, flush=True)
    for (name, _), outcomes in measured.items():
        if any(" " in outcome for outcome in outcomes):
            sys.exit(f"{name}: non-2xx answers: {outcomes}")
    rates = {key: statistics.median(rate_of(outcome) for outcome in outcomes) for key, outcomes in measured.items()}
    lines = [
        f"# pm-oauth with {counts[large]:,} access tokens",
        "",
        f"wrk -t2 -c8 -d{os.environ.get('BENCH_SECONDS', '10')}s, medians of {ROUNDS} interleaved rounds, "
        f"requests/s; {os.environ.get('BENCH_SERVER', DEFAULT_SERVER)} per database on mysql; "
        f"{rows.count(LARGE, 'OAUTH_REFRESH_TOKENS'):,} refresh tokens in the large one; InnoDB buffer pool "
        f"{pool / 1024**3:.1f} GiB.",
        "",
        f"| request | {counts[small]:,} rows | {counts[large]:,} rows | ratio | within 10% |",
        "|---|---|---|---|---|",
    ]
    for name in requests_of_names(measured):
        before, after = rates[(name, small)], rates[(name, large)]
        verdict = "yes" if after / before >= 0.9 else "no"
        lines.append(f"| {name} | {before:,.0f} | {after:,.0f} | {after / before:.2f} | {verdict} |")
    publish("scale-", lines)


def requests_of_names(measured: dict[tuple[str, Bench], list[str]]) -> list[str]:
    return list(dict.fromkeys(name for name, _ in measured))


if __name__ == "__main__":
    main()
