"""Does purging a million expired tokens leave token issuance alone?

    make bench-purge     (PURGE_ROWS=1000000 expired, LIVE_ROWS=100000 live; MariaDB only)

Measures client_credentials tokens/s (wrk -t2 -c8) without a purge, then runs
`manage.py purgetokens` (its progress shown as it goes) and measures tokens/s again, run after
run, for as long as the purge lasts; prints the purge's time and rate, both token rates and
whether issuance stayed within the issue's 20%, and writes bench/results/purge-<date>.md.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import date

import rows
from compare import form_post, rate_of
from harness import DEFAULT_SERVER, PYTHON, ROOT, Bench, publish

PURGE_ROWS = int(os.environ.get("PURGE_ROWS", "1000000"))
LIVE_ROWS = int(os.environ.get("LIVE_ROWS", "100000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_bench_purge")
    bench = Bench()
    database = bench.env["DATABASE_URL"].rsplit("/", 1)[1]
    rows.fill(database, PURGE_ROWS, expired=True, label="expired: ")
    rows.fill(database, LIVE_ROWS, label="live: ")
    body = "grant_type=client_credentials&" + urllib.parse.urlencode(
        {k: bench.client[k] for k in ("client_id", "client_secret")}
    )
    url, lua = f"{bench.base}/bench/oauth2/token", form_post(body)
    with bench.server():
        quiet = [bench.wrk(url, lua) for _ in range(ROUNDS)]
        command = [PYTHON, "manage.py", "purgetokens", "--json"]
        began = time.monotonic()
        purge = subprocess.Popen(
            command, cwd=ROOT, env=bench.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        progress = threading.Thread(target=show_progress, args=(purge,), daemon=True)
        progress.start()
        during = []
        while purge.poll() is None:
            outcome = bench.wrk(url, lua)
            if purge.poll() is None:  # only runs that the purge lasted through count
                during.append(outcome)
        took = time.monotonic() - began
        progress.join()
        output = purge.stdout.read() if purge.stdout else ""
    if purge.returncode != 0:
        sys.exit(f"purgetokens failed: {output}")
    for outcome in quiet + during:
        if " " in outcome:
            sys.exit(f"non-2xx answers: {outcome}")
    if not during:
        sys.exit("the purge ended before one wrk run did: make PURGE_ROWS larger or BENCH_SECONDS smaller")
    without = statistics.median(rate_of(outcome) for outcome in quiet)
    with_purge = statistics.median(rate_of(outcome) for outcome in during)
    ratio = with_purge / without
    lines = [
        f"# Token issuance during `purgetokens`, {date.today().isoformat()}",
        "",
        f"{PURGE_ROWS:,} expired access tokens (and half as many refresh tokens) among {LIVE_ROWS:,} live ones; "
        f"{os.environ.get('BENCH_SERVER', DEFAULT_SERVER)} on {bench.database}; wrk -t2 -c8 "
        f"-d{os.environ.get('BENCH_SECONDS', '10')}s, medians.",
        "",
        f"- purgetokens: {output.strip()} in {took:,.0f} s ({PURGE_ROWS / took:,.0f} access tokens/s)",
        f"- client_credentials without a purge: {without:,.0f}/s ({ROUNDS} runs)",
        f"- client_credentials during the purge: {with_purge:,.0f}/s ({len(during)} runs): {ratio:.2f} of it, "
        f"{'within' if ratio >= 0.8 else 'NOT within'} 20%",
    ]
    publish("purge-", lines)


def show_progress(purge: subprocess.Popen[str]) -> None:
    """The purge's progress lines, one in twenty (it writes one per batch)."""
    assert purge.stderr is not None
    for number, line in enumerate(purge.stderr):
        if number % 20 == 0 or "100%" in line:
            print(f"purgetokens: {line.strip()}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
