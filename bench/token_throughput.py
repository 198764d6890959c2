"""client_credentials tokens per second under the default server (bench/harness.py), measured with wrk.

    .venv/bin/python bench/token_throughput.py                 # SQLite in a temporary folder
    DATABASE_URL=mysql://root@127.0.0.1:3306/pm_bench .venv/bin/python bench/token_throughput.py

Prints the SQL one token costs, the latency of one request, and what wrk measures with
8 connections for 10 seconds against the default server (BENCH_SERVER chooses another).
Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import json
import urllib.request

from harness import Bench


def main() -> None:
    bench = Bench()
    client_id, secret = bench.client["client_id"], bench.client["client_secret"]
    body = f"grant_type=client_credentials&client_id={client_id}&client_secret={secret}"
    statements = bench.shell(
        "from django.test import Client; from django.db import connection; "
        "from django.test.utils import CaptureQueriesContext; c = Client(HTTP_HOST='127.0.0.1'); "
        f"body = '{body}'; ct = 'application/x-www-form-urlencoded'; "
        "c.post('/bench/oauth2/token', body, content_type=ct)\n"
        "with CaptureQueriesContext(connection) as q: c.post('/bench/oauth2/token', body, content_type=ct)\n"
        "print(', '.join(' '.join(x['sql'].split()[:3]) for x in q.captured_queries))"
    )
    url = f"{bench.base}/bench/oauth2/token"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with bench.server():
        latency = bench.median_ms(urllib.request.Request(url, body.encode(), form))
        lua = (
            f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
            f'wrk.headers["Content-Type"] = "{form["Content-Type"]}"\n'
        )
        rate = bench.wrk(url, lua)
    print(f"database: {bench.database}")
    print(f"SQL per client_credentials token (after a warm-up request): {statements}")
    print(f"one request over HTTP: median {latency:.1f} ms")
    print(f"wrk -t2 -c8: {rate} tokens/s")


if __name__ == "__main__":
    main()
