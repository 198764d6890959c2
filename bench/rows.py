"""Bulk token rows for the scale and purge benchmarks: INSERT ... SELECT from MariaDB's sequence
tables, in chunks, with progress. Tokens are made up (SHA-1 of a counter) but shaped like real
ones: a 40-hex ACCESS_TOKEN, its SHA-256 checksum, the bench client, its admin as the user."""

from __future__ import annotations

import subprocess
import sys
import time

CHUNK = 250_000


def mysql(database: str, sql: str) -> str:
    return subprocess.run(
        ["mysql", "-uroot", "-h127.0.0.1", "-N", "-B", database, "-e", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def count(database: str, table: str) -> int:
    return int(mysql(database, f"SELECT COUNT(*) FROM {table}"))


def fill(database: str, access_rows: int, *, expired: bool = False, label: str = "") -> None:
    """Add `access_rows` access tokens (half of them with a refresh token, as password grants leave
    them) to the bench workspace, live for a day or, with `expired`, expired a day ago."""
    if mysql(database, "SELECT VERSION()").lower().find("mariadb") < 0:
        sys.exit("the bulk rows need MariaDB's sequence tables (seq_1_to_N)")
    ids = mysql(database, "SELECT w.id, a.id, a.CLIENT_ID, u.id, u.uid FROM workspaces_workspace w "
                          "JOIN OAUTH_CLIENTS a ON a.workspace_id = w.id AND a.is_local = 0 "
                          "JOIN workspaces_user u ON u.id = a.user_id WHERE w.name = 'bench' LIMIT 1")  # fmt: skip
    workspace, application, client_id, user, uid = ids.split("\t")
    start = int(mysql(database, "SELECT COALESCE(MAX(id), 0) FROM OAUTH_ACCESS_TOKENS")) + 1
    expires = "NOW() - INTERVAL 1 DAY" if expired else "NOW() + INTERVAL 1 DAY"
    began, done = time.monotonic(), 0
    while done < access_rows:
        size = min(CHUNK, access_rows - done)
        first, last = start + done, start + done + size - 1
        token = "SHA1(CONCAT('bench-', seq))"
        mysql(database, f"""
            INSERT INTO OAUTH_ACCESS_TOKENS (token_checksum, resource, created, updated, ACCESS_TOKEN, CLIENT_ID,
                USER_ID, EXPIRES, SCOPE, USER_PK, workspace_id, application_id)
            SELECT SHA2({token}, 256), '[]', NOW(6), NOW(6), {token}, '{client_id}', '{uid}', {expires}, '*',
                {user}, {workspace}, {application}
            FROM seq_{first}_to_{last};
            INSERT INTO OAUTH_REFRESH_TOKENS (token_checksum, resource, created, updated, REFRESH_TOKEN, CLIENT_ID,
                USER_ID, EXPIRES, SCOPE, USER_PK, workspace_id, application_id)
            SELECT SHA2(CONCAT('refresh-', seq), 256), '[]', NOW(6), NOW(6), '', '{client_id}', '{uid}',
                {expires}, '*', {user}, {workspace}, {application}
            FROM seq_{first}_to_{last}_step_2;
        """)  # fmt: skip
        done += size
        elapsed = time.monotonic() - began
        rate = done / elapsed
        print(f"{label}{done:,} of {access_rows:,} access tokens ({done / access_rows:.0%}), {rate:,.0f} rows/s, "
              f"{(access_rows - done) / rate:,.0f} s to go", file=sys.stderr, flush=True)  # fmt: skip
