"""The side-by-side comparison: pm-oauth against ProcessMaker's PHP engine and stock
django-oauth-toolkit, on this machine, in one interleaved run.

    make bench        (or: .venv/bin/python bench/compare.py; ROUNDS=3 BENCH_SECONDS=10 by default)

Starts pm-oauth under the default server (bench/harness.py; BENCH_SERVER for another) on MariaDB
(database pm_bench), starts the anchors with ../shared/anchors/start.sh when it is there and this
runs as root (without them the table shows our figures alone and says so), runs every row ROUNDS
times, interleaving the servers, and prints the medians and ratios, then the password grant's p50
and throughput against Argon2id's, all written to bench/results/<date>.md. wrk -t2 -c8 as in the
reference numbers; a row whose run had non-2xx answers says so (a fast error is not a token).
"""

from __future__ import annotations

import base64
import json
import os
import re
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date

from harness import ADMIN_PASSWORD, DEFAULT_SERVER, ROOT, Bench, publish

ROUNDS = int(os.environ.get("ROUNDS", "3"))
ANCHORS = ROOT.parent / "shared" / "anchors" / "start.sh"
PHP, DOT = "http://127.0.0.1:8803", "http://127.0.0.1:8801"
ANCHOR_ID, ANCHOR_SECRET = "ANCHORANCHORANCHORANCHORANCHORAN", "28060566356f0b9db4f0429090515304"
# Stock DOT's /me needs a user's token: its password client (same secret) and user.
DOT_USER_TOKEN_BODY = urllib.parse.urlencode({
    "grant_type": "password", "username": "johndoe", "password": "p4ssw0rd",
    "client_id": "ANCHORPWANCHORPWANCHORPWANCHORPW", "client_secret": ANCHOR_SECRET,
})  # fmt: skip
FORM = "application/x-www-form-urlencoded"


def form_post(body: str, headers: str = "") -> str:
    return (
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        f'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n{headers}'
    )


def basic(client_id: str, secret: str) -> str:
    return (
        'wrk.headers["Authorization"] = "Basic ' + base64.b64encode(f"{client_id}:{secret}".encode()).decode() + '"\n'
    )


def bearer(token: str) -> str:
    return f'wrk.headers["Authorization"] = "Bearer {token}"\n'


def token_from(url: str, body: str, headers: dict[str, str] | None = None) -> str:
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return str(json.load(response)["access_token"])


SPARE_TOKENS = 8  # per wrk thread: more than its 4 connections, since wrk may build a request it never sends


def refresh_tokens_from(url: str, body: str, count: int = 2 * SPARE_TOKENS) -> list[str]:
    """`count` fresh refresh tokens, each from its own password grant."""
    tokens = []
    for _ in range(count):
        request = urllib.request.Request(url, body.encode(), {"Content-Type": FORM})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            tokens.append(str(json.load(response)["refresh_token"]))
    return tokens


def refresh_chain(tokens: list[str], client_body: str) -> str:
    """A wrk script in which each request refreshes with a token an earlier answer gave (rotation:
    each is good once). Each of wrk's 2 threads starts with half of `tokens`, more than its 4
    connections; an answer without a refresh token ends a chain, and a thread whose chains have
    all ended sends spent tokens, which count as non-2xx."""
    quoted = ", ".join(json.dumps(token) for token in tokens)
    return f"""
local all = {{{quoted}}}
local per_thread = {len(tokens) // 2}
local handed = 0
function setup(thread)
  thread:set("mine", table.concat(all, ",", handed + 1, handed + per_thread))
  handed = handed + per_thread
end
function init(args)
  pool = {{}}
  for token in string.gmatch(mine, "[^,]+") do table.insert(pool, token) end
end
function request()
  local token = table.remove(pool, 1) or "spent"
  return wrk.format("POST", nil, {{["Content-Type"] = "{FORM}"}},
    "grant_type=refresh_token&{client_body}&refresh_token=" .. token)
end
function response(status, headers, body)
  local token = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
  if token then table.insert(pool, token) end
end
"""


def refreshing(url: str, password_body: str, client_body: str) -> Callable[[], str]:
    """A fresh refresh chain for each run of `url` (its tokens from password grants)."""
    return lambda: refresh_chain(refresh_tokens_from(url, password_body), client_body)


# Appended to a token row's script: ProcessMaker answers a refused token request with HTTP 200 and an
# error body (so do we), which wrk would count as a success. An answer without an access token is
# an error answer, counted here and reported by wrk's done() (harness.Bench.wrk reads the line).
ERROR_ANSWERS = """
local their_setup, their_response = setup, response
error_answers = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  if their_setup then their_setup(thread) end
end
function response(status, headers, body)
  if not string.find(body, '"access_token"', 1, true) then error_answers = error_answers + 1 end
  if their_response then their_response(status, headers, body) end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("error_answers") end
  io.write(string.format("Error answers: %d\\n", total))
end
"""


def tokens_expected(lua: Lua) -> Lua:
    """`lua`, counting every answer that carries no access token (see ERROR_ANSWERS)."""
    if callable(lua):
        return lambda: lua() + ERROR_ANSWERS  # type: ignore[operator]
    return lua + ERROR_ANSWERS


def start_anchors() -> bool:
    if not ANCHORS.exists() or os.geteuid() != 0:
        return False
    result = subprocess.run(["bash", str(ANCHORS)], capture_output=True, text=True)
    return result.returncode == 0


# A row's script, or a function that makes a fresh one for each run (refresh tokens are good once).
Lua = str | Callable[[], str]


def rows(bench: Bench, anchored: bool) -> list[tuple[str, dict[str, tuple[str, Lua]]]]:
    """(row, {server: (url, wrk lua)}) for every row of the table."""
    ours = bench.client
    client_body = urllib.parse.urlencode({k: ours[k] for k in ("client_id", "client_secret")})
    body = f"grant_type=client_credentials&{client_body}"
    token_url = f"{bench.base}/bench/oauth2/token"
    our_token = token_from(token_url, body)
    our_basic = form_post("grant_type=client_credentials", basic(ours["client_id"], ours["client_secret"]))
    our_password = f"grant_type=password&username=admin&password={urllib.parse.quote(ADMIN_PASSWORD)}&{client_body}"
    table: list[tuple[str, dict[str, tuple[str, Lua]]]] = [
        ("client_credentials, credentials in the body", {"pm-oauth": (token_url, form_post(body))}),
        ("client_credentials, HTTP Basic", {"pm-oauth": (token_url, our_basic)}),
        ("refresh_token grant (rotation: a new refresh token each time)", {
            "pm-oauth": (token_url, refreshing(token_url, our_password, client_body)),
        }),
        ("bearer GET of a small JSON resource", {
            "pm-oauth": (f"{bench.base}/api/1.0/bench/light/user/data", bearer(our_token)),
        }),
        ("floor: a view that does nothing", {"pm-oauth": (f"{bench.base}/health", "")}),
    ]  # fmt: skip
    if anchored:
        anchor_client = f"client_id={ANCHOR_ID}&client_secret={ANCHOR_SECRET}"
        anchor_body = f"grant_type=client_credentials&{anchor_client}"
        php_password = f"grant_type=password&username=johndoe&password=p4ssw0rd&{anchor_client}"
        dot_client = f"client_id=ANCHORPWANCHORPWANCHORPWANCHORPW&client_secret={ANCHOR_SECRET}"
        php_token = token_from(f"{PHP}/token.php", anchor_body)
        dot_token = token_from(f"{DOT}/o/token/", DOT_USER_TOKEN_BODY)
        both_basic = form_post("grant_type=client_credentials", basic(ANCHOR_ID, ANCHOR_SECRET))
        extra: list[dict[str, tuple[str, Lua]]] = [
            {"PHP engine": (f"{PHP}/token.php", form_post(anchor_body)),
             "stock DOT": (f"{DOT}/o/token/", form_post(anchor_body))},
            {"PHP engine": (f"{PHP}/token.php", both_basic), "stock DOT": (f"{DOT}/o/token/", both_basic)},
            {"PHP engine": (f"{PHP}/token.php", refreshing(f"{PHP}/token.php", php_password, anchor_client)),
             "stock DOT": (f"{DOT}/o/token/", refreshing(f"{DOT}/o/token/", DOT_USER_TOKEN_BODY, dot_client))},
            {"PHP engine": (f"{PHP}/resource.php", bearer(php_token)), "stock DOT": (f"{DOT}/me", bearer(dot_token))},
            {"PHP engine": (f"{PHP}/hello.php", ""), "stock DOT": (f"{DOT}/hello", "")},
        ]  # fmt: skip
        for (_, servers), more in zip(table, extra, strict=True):
            servers.update(more)
    for row, servers in table:
        if row.startswith(("client_credentials", "refresh_token")):  # the token endpoint's rows
            for server, (url, lua) in servers.items():
                servers[server] = (url, tokens_expected(lua))
    return table


def password_section(bench: Bench) -> list[str]:
    """The password grant: p50 at 1 connection against Argon2id alone, and throughput at 8
    connections against what 2 cores can verify.

    The margin over Argon2id is the difference of two medians taken at different moments, and on a
    shared machine either moves by a few ms from one minute to the next: so each of ROUNDS rounds
    times the verify and then, straight after, the grant's p50, and the margin reported is the
    median of the rounds' differences."""
    client_body = urllib.parse.urlencode({k: bench.client[k] for k in ("client_id", "client_secret")})
    body = f"grant_type=password&username=admin&password={urllib.parse.quote(ADMIN_PASSWORD)}&{client_body}"
    url = f"{bench.base}/bench/oauth2/token"
    pairs: list[tuple[float, float]] = []  # (verify ms, p50 ms), one per round
    problems: set[str] = set()
    for _ in range(ROUNDS):
        verify_ms = argon2_verify_ms(bench)
        p50, found = bench.p50_ms(url, str(tokens_expected(form_post(body))))
        pairs.append((verify_ms, p50))
        if found:
            problems.add(found)
    fresh = bench.median_ms(urllib.request.Request(url, body.encode(), {"Content-Type": FORM}), count=40)
    verify_ms = statistics.median(verify for verify, _ in pairs)
    p50 = statistics.median(p50 for _, p50 in pairs)
    margin = statistics.median(p50 - verify for verify, p50 in pairs)
    rounds = ", ".join(f"{p50:.1f} - {verify:.1f}" for verify, p50 in pairs)
    noted = f" ({' '.join(sorted(problems))})" if problems else ""
    rate = bench.wrk(url, str(tokens_expected(form_post(body))))
    cores = os.cpu_count() or 1
    ceiling = cores * 1000 / verify_ms
    return [
        "",
        "Password grant (pm-oauth; the anchors hash with SHA-1 and PBKDF2, so no comparison):",
        "",
        f"- p50 at 1 connection (wrk -c1, kept alive): {p50:.1f} ms{noted}; "
        f"one Argon2id verify: {verify_ms:.1f} ms (median, in-process), so the grant costs Argon2id + {margin:.1f} ms "
        f"(the median of {ROUNDS} rounds, each a verify timed just before the p50: {rounds} ms). With a new "
        f"connection per request (Python's urllib): p50 {fresh:.1f} ms.",
        f"- wrk -t2 -c8: {rate} tokens/s; the Argon2 ceiling is {cores} cores x 1/{verify_ms:.1f} ms = "
        f"{ceiling:,.0f}/s, so {rate_of(rate) / ceiling:.0%} of it.",
    ]


def argon2_verify_ms(bench: Bench) -> float:
    """The median time of one Argon2id verify with the project's parameters, in-process, now."""
    verify = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "argon2_verify.py")], cwd=ROOT, env=bench.env,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(re.search(r"median ([\d.]+) ms", verify).group(1))  # type: ignore[union-attr]


def rate_of(result: str) -> float:
    return float(result.split()[0])


def main() -> None:
    bench = Bench(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_bench"))
    anchored = start_anchors()
    measured: dict[tuple[str, str], list[str]] = {}
    with bench.server():
        table = rows(bench, anchored)
        for round_number in range(1, ROUNDS + 1):
            for row, servers in table:
                for server, (url, lua) in servers.items():
                    script = lua() if callable(lua) else lua
                    measured.setdefault((row, server), []).append(bench.wrk(url, script))
            print(f"round {round_number} of {ROUNDS} done", file=sys.stderr)
        password = password_section(bench)
    servers = ["pm-oauth", "PHP engine", "stock DOT"] if anchored else ["pm-oauth"]
    lines = [
        f"# pm-oauth side by side, {date.today().isoformat()}",
        "",
        f"wrk -t2 -c8 -d{os.environ.get('BENCH_SECONDS', '10')}s, medians of {ROUNDS} interleaved rounds, requests/s; "
        f"pm-oauth under {os.environ.get('BENCH_SERVER', DEFAULT_SERVER)} (bench/harness.py) on {bench.database}"
        + ("; the PHP engine under php-fpm (4 children) + nginx; stock DOT under gunicorn -w 2." if anchored
           else ". The anchors were not started (../shared/anchors/start.sh missing, or not root): our figures alone."),
        "",
        "| request | " + " | ".join(servers) + (" | vs PHP | vs stock DOT |" if anchored else " |"),
        "|---" * (len(servers) + 1 + (2 if anchored else 0)) + "|",
    ]  # fmt: skip
    for row, _ in table:
        medians = {server: statistics.median(rate_of(r) for r in measured[(row, server)]) for server in servers}
        notes = {server: " ".join(sorted({re.sub(r"^\S+\s*", "", r) for r in measured[(row, server)]} - {""}))
                 for server in servers}  # fmt: skip
        cells = [f"{medians[s]:,.0f}" + (f" ({notes[s]})" if notes[s] else "") for s in servers]
        ratios = [f"{medians['pm-oauth'] / medians[s]:.2f}x" for s in servers[1:]]
        lines.append(f"| {row} | " + " | ".join(cells + ratios) + " |")
    publish("", lines + password)


if __name__ == "__main__":
    main()
