"""Did a change make pm-oauth faster? Two checkouts side by side, interleaved, on one database.

    .venv/bin/python bench/ab.py REF [row ...]    rows: cc basic refresh bearer health password
    e.g. .venv/bin/python bench/ab.py HEAD refresh bearer     (ROUNDS=3, BENCH_SECONDS=10 by default)

A is the commit REF (checked out into a temporary git worktree), B is this working tree with its
uncommitted changes. Both are served at once (BENCH_SERVER, the production default otherwise) on
one MariaDB database (pm_ab; DATABASE_URL for another) and one Redis, and every row runs on each
in turn, A first in even rounds and B first in odd ones, so that whatever else the machine does
falls on both alike. Each run prints requests/s and the CPU each request cost (ms) in the
server's processes (of it, in the kernel), in MariaDB and in Redis, read from /proc; the summary
gives the medians and B/A. Absolute figures move run to run; B/A within a few percent of 1 is noise.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

from compare import Lua, form_post, rows, tokens_expected
from harness import ADMIN_PASSWORD, PORT, ROOT, Bench

ROUNDS = int(os.environ.get("ROUNDS", "3"))
SHORT = {
    "client_credentials, credentials in the body": "cc",
    "client_credentials, HTTP Basic": "basic",
    "refresh_token grant (rotation: a new refresh token each time)": "refresh",
    "bearer GET of a small JSON resource": "bearer",
    "floor: a view that does nothing": "health",
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms(pids: list[int]) -> tuple[float, float]:
    """CPU time used so far by these processes (user and kernel, kernel alone), in ms."""
    total = kernel = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone
            continue
        total += int(fields[11]) + int(fields[12])
        kernel += int(fields[12])
    return total * 1000 / CLOCK_TICKS, kernel * 1000 / CLOCK_TICKS


def process_group(leader: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == leader:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def pids_of(program: str) -> list[int]:
    answer = subprocess.run(["pidof", program], capture_output=True, text=True)
    return [int(pid) for pid in answer.stdout.split()]


def scripts(bench: Bench) -> dict[str, tuple[str, Lua]]:
    """Each row's URL and wrk script for the server `bench` points at."""
    table = {SHORT[row]: servers["pm-oauth"] for row, servers in rows(bench, anchored=False)}
    client = urllib.parse.urlencode({k: bench.client[k] for k in ("client_id", "client_secret")})
    password = f"grant_type=password&username=admin&password={urllib.parse.quote(ADMIN_PASSWORD)}&{client}"
    table["password"] = (f"{bench.base}/bench/oauth2/token", tokens_expected(form_post(password)))
    return table


Run = tuple[float, float, float, float, float]  # requests/s; CPU ms per request: server, its kernel, MariaDB, Redis


def measure(bench: Bench, server: subprocess.Popen[bytes], url: str, lua: Lua) -> tuple[Run, str]:
    """One wrk run against `server`, with what each request cost in CPU, and any problems wrk saw."""
    script = lua() if callable(lua) else lua
    groups = [process_group(server.pid), pids_of("mariadbd") or pids_of("mysqld"), pids_of("redis-server")]
    before = [cpu_ms(pids) for pids in groups]
    output = bench.run_wrk(url, script, "-t2", "-c8")
    after = [cpu_ms(pids) for pids in groups]
    count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    server_cpu, database, redis = ((then[0] - now[0]) / count for now, then in zip(before, after, strict=True))
    kernel = (after[0][1] - before[0][1]) / count
    return (rate, server_cpu, kernel, database, redis), " ".join(bench.problems(output))


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        raise SystemExit(__doc__)
    ref, wanted = sys.argv[1], sys.argv[2:] or ["cc", "refresh", "bearer"]
    unknown = set(wanted) - {*SHORT.values(), "password"}
    if unknown:
        raise SystemExit(f"unknown rows {sorted(unknown)}: {', '.join([*SHORT.values(), 'password'])}")
    bench = Bench(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_ab"))
    worktree = Path(tempfile.mkdtemp(prefix="pm-ab-")) / "A"
    add = ["git", "worktree", "add", "--detach", str(worktree), ref]
    subprocess.run(add, cwd=ROOT, check=True, capture_output=True)
    measured: dict[tuple[str, str], list[Run]] = {}
    try:
        (worktree / "var").mkdir(exist_ok=True)
        with ExitStack() as stack:
            servers = {}
            for name, tree, port in (("A", worktree, PORT), ("B", ROOT, PORT + 1)):
                served = bench.at(port)
                servers[name] = (stack.enter_context(served.server(tree=tree)), scripts(served))
            for round_number in range(ROUNDS):
                for row in wanted:
                    for name in ("A", "B") if round_number % 2 == 0 else ("B", "A"):
                        process, table = servers[name]
                        run, problems = measure(bench, process, *table[row])
                        measured.setdefault((row, name), []).append(run)
                        print(
                            f"round {round_number + 1} {row:9} {name} {run[0]:8,.0f}/s   server {run[1]:.3f} ms "
                            f"(kernel {run[2]:.3f})  MariaDB {run[3]:.3f}  Redis {run[4]:.3f}  {problems}",
                            flush=True,
                        )
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
    print(f"\nA = {ref}, B = the working tree; medians of {ROUNDS} rounds")
    for row in wanted:
        a, b = ([statistics.median(run[i] for run in measured[(row, name)]) for i in range(5)] for name in "AB")
        print(
            f"{row:9} A {a[0]:8,.0f}/s  B {b[0]:8,.0f}/s  B/A {b[0] / a[0]:.3f}   server CPU per request "
            f"A {a[1]:.3f} B {b[1]:.3f} ms, MariaDB A {a[3]:.3f} B {b[3]:.3f} ms"
        )


if __name__ == "__main__":
    main()
