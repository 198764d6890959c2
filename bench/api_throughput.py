"""GET /api/1.0/{ws}/light/user/data (bearer-authenticated DRF) against a plain Django view, with wrk.

The token is a client-credentials token (its client's owner acts; the same one query as a user's).

    .venv/bin/python bench/api_throughput.py
    DATABASE_URL=mysql://root@127.0.0.1:3306/pm_bench .venv/bin/python bench/api_throughput.py

The plain view is /health, served by the same server. Needs `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

from harness import Bench


def main() -> None:
    bench = Bench()
    with bench.server():
        body = urllib.parse.urlencode(
            {"grant_type": "client_credentials", **{k: bench.client[k] for k in ("client_id", "client_secret")}}
        )
        request = urllib.request.Request(f"{bench.base}/bench/oauth2/token", body.encode())
        with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback
            token = json.load(response)["access_token"]
        api = f"{bench.base}/api/1.0/bench/light/user/data"
        headers = {"Authorization": f"Bearer {token}"}
        api_latency = bench.median_ms(urllib.request.Request(api, headers=headers))
        api_rate = bench.wrk(api, f'wrk.headers["Authorization"] = "Bearer {token}"\n')
        plain_latency = bench.median_ms(urllib.request.Request(f"{bench.base}/health"))
        plain_rate = bench.wrk(f"{bench.base}/health")
    print(f"database: {bench.database}")
    print(f"GET /light/user/data (bearer): median {api_latency:.1f} ms, wrk -t2 -c8: {api_rate} requests/s")
    print(f"GET /health (plain Django view): median {plain_latency:.1f} ms, wrk -t2 -c8: {plain_rate} requests/s")


if __name__ == "__main__":
    main()
