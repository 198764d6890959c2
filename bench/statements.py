"""What each statement of a refresh grant costs MariaDB, and this process, on its own.

    .venv/bin/python bench/statements.py        (COUNT=3000 statements of each kind by default)

A refresh costs the database several times what a client_credentials token does (`make bench-ab`
prints the CPU per request of each). This times the statements a refresh sends, each kind COUNT
times in a row, through the very functions the grant calls (`services.issue_tokens`,
`refresh_claim.find_refresh_token`, `refresh_claim.mark_used`), and prints for each the CPU that mariadbd
spent (from /proc: all its threads, so whatever else it serves meanwhile counts too), the CPU of
this process, and the wall time. Statements that write run inside one transaction so that the
COMMIT, timed on its own, is not counted in each. Needs MariaDB on this machine (DATABASE_URL;
pm_bench_statements by default), since it reads the server's own CPU figures.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext

from ab import cpu_ms, pids_of
from harness import ROOT, Bench

COUNT = int(os.environ.get("COUNT", "3000"))


def main() -> None:
    bench = Bench(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/pm_bench_statements"))
    if not bench.env["DATABASE_URL"].startswith("mysql://"):
        raise SystemExit("bench/statements.py reads mariadbd's CPU: DATABASE_URL must name a local MariaDB")
    os.environ.update(bench.env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmsite.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from oauth_apps import refresh_claim, services
    from oauth_apps.identifiers import new_token
    from oauth_apps.models import Application, RefreshToken
    from workspaces.models import User, Workspace

    server = pids_of("mariadbd") or pids_of("mysqld")
    if not server:
        raise SystemExit("no mariadbd (or mysqld) runs on this machine")
    workspace = Workspace.objects.get(name="bench")
    client = Application.objects.select_related("user").get(client_id=bench.client["client_id"])
    user = client.user
    refresh_tokens: list[str] = []

    def issue(user_or_none: User | None, with_refresh: bool) -> None:
        refresh = new_token() if with_refresh else None
        services.issue_tokens(
            workspace, client=client, user=user_or_none, scope="*", access_token=new_token(),
            refresh_token=refresh, family=uuid.uuid4() if refresh else None,
        )  # fmt: skip
        if refresh:
            refresh_tokens.append(refresh)

    def statement(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    def read_only_transaction() -> None:
        with transaction.atomic():
            statement("SELECT 1")

    found: list[RefreshToken] = []

    def look_up(index: int) -> None:
        refresh = refresh_claim.find_refresh_token(workspace, client, refresh_tokens[index])
        assert refresh is not None, "a token issued above is not found"
        found.append(refresh)

    kinds: list[tuple[str, Callable[[int], None], bool]] = [
        # (what, do it once (given its index), inside one transaction)
        ("INSERT access token + refresh token", lambda i: issue(user, True), True),
        ("SELECT refresh token + user + role", look_up, False),
        ("UPDATE: the claim", lambda i: refresh_claim.mark_used(found[i], timezone.now()), True),
        ("INSERT access token (a user's)", lambda i: issue(user, False), True),
        ("BEGIN + SELECT 1 + COMMIT", lambda i: read_only_transaction(), False),
        ("SELECT 1", lambda i: statement("SELECT 1"), False),
        ("INSERT client_credentials token, autocommit", lambda i: issue(None, False), False),
    ]  # fmt: skip
    print(f"{COUNT:,} of each on {bench.database}; per line and time, CPU in mariadbd, CPU here, wall:")
    for what, once, together in kinds:
        began_server, began_cpu, began_wall = cpu_ms(server)[0], time.process_time(), time.perf_counter()
        with transaction.atomic() if together else nullcontext():
            for index in range(COUNT):
                once(index)
        server_us = (cpu_ms(server)[0] - began_server) / COUNT * 1e3
        cpu_us = (time.process_time() - began_cpu) / COUNT * 1e6
        wall_us = (time.perf_counter() - began_wall) / COUNT * 1e6
        print(f"  {what:<45} MariaDB {server_us:6.1f} us   here {cpu_us:6.1f} us   wall {wall_us:6.1f} us")


if __name__ == "__main__":
    main()
