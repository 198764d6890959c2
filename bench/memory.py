"""Do the workers grow? Their memory after 1,000 requests and after 100,000 more.

    make bench-memory     (REQUESTS=100000 by default)

Serves pm-oauth (BENCH_SERVER, the production default otherwise) and sends, with wrk -t2 -c8, a
mix of client_credentials tokens, bearer GETs of /light/user/data and requests to made-up
workspace names (each one new: they must not pile up in the workspace cache). Prints each
worker's resident memory (VmRSS) after the first 1,000 requests and after REQUESTS more, the
growth, and whether it is within the issue's 10%; writes bench/results/memory-<date>.md.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.parse
from datetime import date
from pathlib import Path

from compare import FORM, token_from
from harness import DEFAULT_SERVER, Bench, publish

REQUESTS = int(os.environ.get("REQUESTS", "100000"))
WARM_UP = 1000


def mixed(count: int, body: str, token: str, finished: Path) -> str:
    """A wrk script that sends `count` requests in all (each of wrk's 2 threads half), in turn:
    a token request, a bearer GET, a made-up workspace; a thread that is done says so in
    `finished` (wrk itself runs for its whole duration unless interrupted)."""
    return f"""
local per_thread = {count // 2}
local sent, answered = 0, 0
local token_body = {json.dumps(body)}
function init(args) math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16)) end
function request()
  sent = sent + 1
  local kind = sent % 3
  if kind == 0 then
    return wrk.format("POST", "/bench/oauth2/token", {{["Content-Type"] = "{FORM}"}}, token_body)
  elseif kind == 1 then
    return wrk.format("GET", "/api/1.0/bench/light/user/data", {{["Authorization"] = "Bearer {token}"}})
  end
  return wrk.format("GET", "/made" .. math.random(1, 2147483647) .. sent .. "/oauth2/token")
end
function response(status, headers, body)
  answered = answered + 1
  if answered == per_thread then
    local note = io.open("{finished}", "a")
    note:write("done\\n")
    note:close()
    wrk.thread:stop()
  end
end
"""


def workers(server: subprocess.Popen[bytes]) -> list[int]:
    """The worker processes: the server's children (granian: its children's children too)."""
    found, queue = [], [server.pid]
    while queue:
        pid = queue.pop()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        found += [int(child) for child in children]
        queue += [int(child) for child in children]
    return [pid for pid in found if not Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


def send(bench: Bench, count: int, body: str, token: str) -> None:
    """`count` requests of the mix; returns when both wrk threads have sent their share."""
    script, finished = bench.tmp / "memory.lua", bench.tmp / "finished"
    finished.unlink(missing_ok=True)
    script.write_text(mixed(count, body, token, finished))
    command = ["wrk", "-t2", "-c8", "-d3600s", "-s", str(script), bench.base]
    run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while not finished.exists() or len(finished.read_text().split()) < 2:
        if run.poll() is not None:
            raise SystemExit(f"wrk stopped early: {run.communicate()}")
        time.sleep(0.2)
    run.send_signal(signal.SIGINT)
    run.wait()


def main() -> None:
    bench = Bench()
    body = "grant_type=client_credentials&" + urllib.parse.urlencode(
        {k: bench.client[k] for k in ("client_id", "client_secret")}
    )
    with bench.server() as server:
        token = token_from(f"{bench.base}/bench/oauth2/token", body)
        send(bench, WARM_UP, body, token)
        pids = workers(server)
        after_warm_up = {pid: rss_kib(pid) for pid in pids}
        send(bench, REQUESTS, body, token)
        after_all = {pid: rss_kib(pid) for pid in pids}
    lines = [
        f"# Worker memory, {date.today().isoformat()}",
        "",
        f"{os.environ.get('BENCH_SERVER', DEFAULT_SERVER)} on {bench.database}; wrk -t2 -c8, a third each of "
        "client_credentials tokens, bearer GETs and requests to made-up workspace names.",
        "",
        f"| worker | RSS after {WARM_UP:,} requests | after {REQUESTS:,} more | growth | within 10% |",
        "|---|---|---|---|---|",
    ]
    for pid in pids:
        growth = after_all[pid] / after_warm_up[pid] - 1
        lines.append(
            f"| {pid} | {after_warm_up[pid] / 1024:,.1f} MiB | {after_all[pid] / 1024:,.1f} MiB | {growth:+.1%} | "
            f"{'yes' if growth <= 0.10 else 'no'} |"
        )
    publish("memory-", lines)


if __name__ == "__main__":
    main()
