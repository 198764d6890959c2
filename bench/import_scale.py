"""How fast import_processmaker brings a large ProcessMaker workspace over.

make bench-import
(or: DATABASE_URL=mysql://root@127.0.0.1:3306/pm_bench_import .venv/bin/python bench/import_scale.py)

Builds a ProcessMaker 3.8 database on the MariaDB at 127.0.0.1:3306 (`pmbench_wf_big`: the seeded
RBAC catalogue, PM_USERS users, PM_CLIENTS clients, PM_TOKENS live access tokens and as many refresh
tokens, bulk-inserted), migrates a fresh target database (DATABASE_URL), then times a real import
and a second run (which must change nothing), and prints rows per second for each table.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tests.processmaker import fixture  # noqa: E402

USERS = int(os.environ.get("PM_USERS", "2000"))
CLIENTS = int(os.environ.get("PM_CLIENTS", "50"))
TOKENS = int(os.environ.get("PM_TOKENS", "100000"))
BATCH = 5000


def build() -> fixture.Workspace:
    wf = fixture.Database("pmbench_wf_big")
    for schema in ("rbac_schema.sql", "workflow_schema_38.sql", "workflow_common.sql"):
        wf.run_file(schema)
    pm = fixture.Workspace(wf, wf)
    pm.seed_rbac()
    password = fixture.sha256("a bench password")
    for number in range(USERS):
        pm.add_user(f"{number + 100:032x}", f"user{number}", password, 3, USR_COUNTRY="US", USR_CITY="FL")
    for number in range(CLIENTS):
        pm.add_client(f"BENCH{number:027d}", f"{number:032x}", f"Client {number}", f"{100:032x}")
    expires = fixture.local_now() + timedelta(days=1)
    for table in ("OAUTH_ACCESS_TOKENS", "OAUTH_REFRESH_TOKENS"):
        column = "ACCESS_TOKEN" if table == "OAUTH_ACCESS_TOKENS" else "REFRESH_TOKEN"
        for start in range(0, TOKENS, BATCH):
            rows = [
                (fixture.token(f"{table}{n}"), f"BENCH{n % CLIENTS:027d}", f"{n % USERS + 100:032x}", expires)
                for n in range(start, min(start + BATCH, TOKENS))
            ]
            with wf.connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({column}, CLIENT_ID, USER_ID, EXPIRES) VALUES (%s, %s, %s, %s)", rows
                )
            print(f"source {table}: {min(start + BATCH, TOKENS):,} of {TOKENS:,} rows", file=sys.stderr)
    return pm


def timed_import(pm: fixture.Workspace) -> tuple[float, dict[str, object]]:
    out = io.StringIO()
    began = time.perf_counter()
    call_command("import_processmaker", "--source", pm.wf.url, "--workspace", "bench", "--tokens", "--json", stdout=out)
    return time.perf_counter() - began, json.loads(out.getvalue())


def fresh_target() -> None:
    """An empty, migrated target database (the one DATABASE_URL names is dropped first)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "mysql":
        server = fixture.Database.__new__(fixture.Database)
        server.name = name
        fixture.Database.__post_init__(server)  # drops and creates it
        server.connection.close()
    elif Path(name).exists():
        Path(name).unlink()
    connection.close()
    call_command("migrate", verbosity=0)


def main() -> None:
    pm = build()
    fresh_target()
    try:
        first, result = timed_import(pm)
        second, again = timed_import(pm)
    finally:
        pm.drop()
    rows = USERS + CLIENTS + 2 * TOKENS
    print(f"source: {USERS:,} users, {CLIENTS:,} clients, {TOKENS:,} access + {TOKENS:,} refresh tokens")
    print(f"target: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"first run:  {first:6.1f} s, {rows / first:8,.0f} rows/s   {json.dumps(result['tables'])}")
    print(f"second run: {second:6.1f} s, {rows / second:8,.0f} rows/s   changed: {again['changed']}")


if __name__ == "__main__":
    main()
