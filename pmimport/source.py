"""Reading a ProcessMaker 3.x workspace's MySQL database, by column name.

Where the tables are (../shared/reference/processmaker-database.md, section 1):
- 3.x installs keep everything in one database, `wf_<ws>`, with the RBAC tables prefixed `RBAC_`;
- workspaces that began on 2.x keep the RBAC tables in a second database (`rb_<ws>`, named by
  DB_RBAC_NAME in `shared/sites/<ws>/db.php`): prefixed `RBAC_` once a 3.x upgrade ran, bare
  (`USERS`, `ROLES`, ...) when it never did. USERS, CONTENT and the OAUTH_ tables stay in `wf_<ws>`.

Rows come back as dicts keyed by column name, so a column that one version lacks is simply
absent (3.0 has no USR_STATUS_ID, for one). Nothing here writes to the source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import MySQLdb
import MySQLdb.cursors

# The RBAC tables by the names a 3.x upgrade gives them; a never-upgraded 2.x rb_ database has the
# same tables without the prefix.
RBAC_TABLES = ("USERS", "ROLES", "PERMISSIONS", "ROLES_PERMISSIONS", "USERS_ROLES", "SYSTEMS")
STREAM_BATCH = 1000


class SourceError(Exception):
    """The source cannot be read: a message fit to show as is (never with a password in it)."""


@dataclass(frozen=True)
class Location:
    """Where one source database is; `str()` leaves the password out."""

    name: str
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = ""

    def __str__(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.name}"


def parse_url(url: str) -> Location:
    """A `mysql://user:password@host:port/database` URL."""
    scheme = urlsplit(url).scheme
    if scheme not in ("mysql", "mariadb", "mysql2"):
        raise SourceError(f"The source must be a mysql:// URL (ProcessMaker runs on MySQL), not {scheme or url!r}.")
    try:
        config = dj_database_url.parse(url.replace(f"{scheme}://", "mysql://", 1))
    except ValueError as error:
        raise SourceError(f"Cannot read the source URL: {error}") from None
    if not config.get("NAME"):
        raise SourceError("The source URL names no database: mysql://user:password@host:3306/wf_<workspace>.")
    return Location(
        name=str(config["NAME"]),
        host=str(config.get("HOST") or "127.0.0.1"),
        port=int(config.get("PORT") or 3306),
        user=str(config.get("USER") or "root"),
        password=str(config.get("PASSWORD") or ""),
    )


# define('NAME', 'value') or define("NAME", value): a quoted string, or a bare number or word.
_DEFINE = re.compile(r"""define\s*\(\s*(['"])(\w+)\1\s*,\s*(?:(['"])((?:\\.|(?!\3).)*)\3|([\w.+-]+))\s*\)""")


def php_defines(path: Path) -> dict[str, str]:
    """The constants a ProcessMaker `db.php` defines, each value as its text (quotes and escapes gone)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise SourceError(f"Cannot read {path}: {error.strerror}.") from None
    return {
        match.group(2): re.sub(r"\\(.)", r"\1", match.group(4)) if match.group(3) else match.group(5)
        for match in _DEFINE.finditer(text)
    }


def read_db_php(path: Path) -> tuple[Location, Location]:
    """The workspace database and the RBAC database a ProcessMaker `db.php` names (DB_HOST may be
    `host:port`; DB_RBAC_* default to the workspace database's)."""
    defined = php_defines(path)
    if "DB_NAME" not in defined:
        raise SourceError(f"{path} defines no DB_NAME: is it a ProcessMaker shared/sites/<ws>/db.php?")

    def location(prefix: str, fallback: Location | None) -> Location:
        host_port = defined.get(f"{prefix}HOST") or (f"{fallback.host}:{fallback.port}" if fallback else "127.0.0.1")
        host, _, port = host_port.partition(":")
        if port and not (port.isascii() and port.isdigit()):
            raise SourceError(f"{path}: {prefix}HOST {host_port!r} is not host or host:port.")
        return Location(
            name=defined.get(f"{prefix}NAME") or (fallback.name if fallback else ""),
            host=host or "127.0.0.1",
            port=int(port) if port else (fallback.port if fallback and not defined.get(f"{prefix}HOST") else 3306),
            user=defined.get(f"{prefix}USER") or (fallback.user if fallback else "root"),
            password=defined.get(f"{prefix}PASS", fallback.password if fallback else ""),
        )

    workspace = location("DB_", None)
    return workspace, location("DB_RBAC_", workspace)


class Database:
    """One source database, read only."""

    def __init__(self, location: Location) -> None:
        self.location = location
        try:
            self.connection = MySQLdb.connect(
                host=location.host,
                port=location.port,
                user=location.user,
                password=location.password,
                database=location.name,
                charset="utf8mb4",
                use_unicode=True,
                connect_timeout=10,
                # No transaction left open between reads: it would hold metadata locks on a live
                # ProcessMaker's tables for as long as the import runs.
                autocommit=True,
            )
        except MySQLdb.Error as error:
            raise SourceError(f"Cannot connect to the source {location}: {error.args[-1]}") from None
        self.tables = self._tables()

    def _tables(self) -> frozenset[str]:
        return frozenset(str(row[0]) for row in self._fetch("SHOW TABLES"))

    def _fetch(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], ...]:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
                return tuple(cursor.fetchall())
        except MySQLdb.Error as error:
            raise SourceError(f"Reading the source {self.location} failed: {error.args[-1]}") from None

    def is_same_database(self, other: Database) -> bool:
        loc, theirs = self.location, other.location
        return (loc.host, loc.port, loc.name) == (theirs.host, theirs.port, theirs.name)

    def count(self, table: str, where: str = "", params: tuple[Any, ...] = ()) -> int:
        return int(self._fetch(f"SELECT COUNT(*) FROM `{table}` {where}", params)[0][0])  # noqa: S608 - names are ours

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
        """Every row of a query, streamed from the server (a token table may hold millions): read
        all of it before asking this database anything else."""
        cursor = self.connection.cursor(MySQLdb.cursors.SSDictCursor)
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(STREAM_BATCH):
                yield from batch
        except MySQLdb.Error as error:
            raise SourceError(f"Reading the source {self.location} failed: {error.args[-1]}") from None
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Layout:
    """Which database holds the RBAC tables, under which names."""

    workspace: Database
    rbac: Database
    prefix: str  # "RBAC_" or "" (a 2.x rb_ database never upgraded)

    def table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def close(self) -> None:
        self.workspace.close()
        if self.rbac is not self.workspace:
            self.rbac.close()

    def describe(self) -> str:
        if self.rbac is self.workspace:
            return f"one database ({self.workspace.location.name}), as ProcessMaker 3.x installs it"
        upgraded = "upgraded from 2.x" if self.prefix else "2.x, never upgraded"
        return f"{self.workspace.location.name} with RBAC tables in {self.rbac.location.name} ({upgraded})"


def open_layout(workspace: Location, rbac: Location | None) -> Layout:
    """Connect and find the RBAC tables; SourceError says what is missing and what to pass."""
    source = Database(workspace)
    rbac_db = source
    try:
        if rbac is not None and not (rbac_db := Database(rbac)).is_same_database(source):
            return find_rbac_tables(Layout(source, rbac_db, "RBAC_"))
        if rbac_db is not source:
            rbac_db.close()
        return find_rbac_tables(Layout(source, source, "RBAC_"))
    except SourceError:
        source.close()
        if rbac_db is not source:
            rbac_db.close()
        raise


def find_rbac_tables(layout: Layout) -> Layout:
    source, rbac_db = layout.workspace, layout.rbac
    if "USERS" not in source.tables:
        raise SourceError(f"{source.location} has no USERS table: is it a ProcessMaker workspace database (wf_<ws>)?")
    if all(f"RBAC_{name}" in rbac_db.tables for name in RBAC_TABLES):
        return layout
    if rbac_db is not source and all(name in rbac_db.tables for name in RBAC_TABLES):
        return Layout(source, rbac_db, "")
    if rbac_db is source:
        raise SourceError(
            f"{source.location} has no RBAC_USERS/RBAC_ROLES tables: a workspace that began on ProcessMaker 2.x "
            "keeps them in a second database (rb_<ws>). Pass --rbac-source mysql://.../rb_<ws>, or --db-php with "
            "the workspace's shared/sites/<ws>/db.php."
        )
    missing = [name for name in RBAC_TABLES if f"RBAC_{name}" not in rbac_db.tables]
    raise SourceError(f"{rbac_db.location} lacks the RBAC tables {', '.join('RBAC_' + name for name in missing)}.")
