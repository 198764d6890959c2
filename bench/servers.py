"""Which server suits pm-oauth on this machine: gunicorn sync, gunicorn gthread and granian, with
several worker counts, on the same database, interleaved.

    make bench-servers      (or: .venv/bin/python bench/servers.py; SPECS="sync:2 sync:4 ..." to choose)

Every spec serves the same three requests (client_credentials with body credentials, a bearer GET
of /light/user/data, /health) with wrk -t2 -c8, ROUNDS rounds (medians); prints requests/s and
the non-2xx answers, and writes bench/results/servers-<date>.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import urllib.parse
from datetime import date

from compare import bearer, form_post, rate_of, token_from
from harness import Bench, publish

SPECS = os.environ.get("SPECS", "sync:2 sync:3 sync:4 gthread:2x4 granian:2 granian:2x2 granian:2x4").split()
ROUNDS = int(os.environ.get("ROUNDS", "2"))


def main() -> None:
    bench = Bench()
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", **{k: bench.client[k] for k in ("client_id", "client_secret")}}
    )
    token_url = f"{bench.base}/bench/oauth2/token"
    measured: dict[tuple[str, str], list[str]] = {}
    rows = ["client_credentials (body)", "bearer GET", "/health"]
    for round_number in range(1, ROUNDS + 1):
        for spec in SPECS:
            with bench.server(spec):
                token = token_from(token_url, body)
                runs = [
                    (token_url, form_post(body)),
                    (f"{bench.base}/api/1.0/bench/light/user/data", bearer(token)),
                    (f"{bench.base}/health", ""),
                ]
                for row, (url, lua) in zip(rows, runs, strict=True):
                    measured.setdefault((row, spec), []).append(bench.wrk(url, lua))
        print(f"round {round_number} of {ROUNDS} done", file=sys.stderr)
    lines = [
        f"# pm-oauth under each server, {date.today().isoformat()}",
        "",
        f"wrk -t2 -c8 -d{os.environ.get('BENCH_SECONDS', '10')}s, medians of {ROUNDS} rounds, requests/s, "
        f"on {bench.database}; spec = server:workers[xthreads].",
        "",
        "| request | " + " | ".join(SPECS) + " |",
        "|---" * (len(SPECS) + 1) + "|",
    ]
    for row in rows:
        cells = []
        for spec in SPECS:
            results = measured[(row, spec)]
            errors = sorted({result.split(maxsplit=1)[1] for result in results if " " in result})
            rate = statistics.median(rate_of(result) for result in results)
            cells.append(f"{rate:,.0f}" + (f" ({'; '.join(errors)})" if errors else ""))
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    publish("servers-", lines)


if __name__ == "__main__":
    main()
