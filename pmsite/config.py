"""Every environment variable pm-oauth reads, one concern per class: its type, default and meaning,
stated here once. pmsite/settings.py turns them into Django's settings; docs/configuration.md's
tables are generated from these declarations (`make configuration-docs`), and
tests/test_configuration_documented.py fails when the two differ or when code reads a variable that
is not declared here.

    python -m pmsite.config            # print the tables
    python -m pmsite.config --write    # rewrite them in docs/configuration.md
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from pmsite.environment import (
    SETTINGS,
    Concern,
    Variable,
    boolean,
    fernet_keys,
    ip_addresses,
    ip_networks,
    log_level,
    names,
    one_of,
    origin,
    text,
    whole_number,
)

BASE_DIR = Path(__file__).resolve().parent.parent
ENTRYPOINT = "docker/entrypoint.sh"


def read_secret_key(site: Site) -> str:
    key_file = site.var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or SECRET_KEY_FILE), "
        f"or run `make run` once to create {key_file}."
    )


def read_encryption_keys(site: Site) -> list[str]:
    key_file = site.var_dir / "encryption_key"
    return fernet_keys("var/encryption_key", key_file.read_text()) if key_file.exists() else []


class Site(Concern):
    title = "The site"

    SECRET_KEY = Variable(
        text, read_secret_key, "Django's secret key; with neither it nor the file, the app refuses to start, saying so",
        shown="read from `var/secret_key`",
    )  # fmt: skip
    PM_ENCRYPTION_KEYS = Variable(
        fernet_keys, read_encryption_keys,
        "comma-separated Fernet keys for the secrets kept to be read back (a directory's search password): the "
        "first encrypts, every one decrypts; put a new key first, run `manage.py rotatekeys`, then drop the old. "
        "Not derived from `SECRET_KEY`. Without it, a secret cannot be stored (the admin says so)",
        shown="read from `var/encryption_key` (`make run` makes one)",
    )  # fmt: skip
    PM_SIGNING_KEY_ROTATION_DAYS = Variable(
        whole_number, 90,
        "how old a workspace's OpenID Connect signing key gets before `manage.py periodic` rotates it (the successor "
        "is published a day before it signs; `manage.py rotatesigningkeys` rotates at once)",
    )  # fmt: skip
    PM_VAR_DIR = Variable(
        text, str(BASE_DIR / "var"), "where the SQLite file and the generated secret key live", shown="`var/`"
    )
    DEBUG = Variable(boolean, False, "Django debug mode (never in production)")
    ALLOWED_HOSTS = Variable(names, ["127.0.0.1", "localhost", "[::1]"], "comma-separated host names")
    CSRF_TRUSTED_ORIGINS = Variable(names, [], "comma-separated origins, needed behind a TLS-terminating proxy")
    PM_LIST_WORKSPACES = Variable(
        boolean, False,
        "whether the home page lists the workspaces (`make run` sets it; off, a probe learns nothing of which exist)",
    )  # fmt: skip

    @property
    def var_dir(self) -> Path:
        return Path(self.PM_VAR_DIR)


class Https(Concern):
    title = "HTTPS and the public origin"

    PM_ALLOW_HTTP = Variable(
        boolean, False,
        "serve plain HTTP; by default (with `DEBUG` off) HTTP is redirected to HTTPS, cookies are `Secure` and "
        "HSTS is sent. `make run` and the tests set it for loopback",
    )  # fmt: skip
    PM_PUBLIC_URL = Variable(
        text, "",
        "the https origin clients reach this server at, e.g. `https://id.example.com` (a scheme, a host, a port at "
        "most: no path; `http` only with `PM_ALLOW_HTTP=1`). The issuer (`{PM_PUBLIC_URL}/{ws}`), the RFC 8414 "
        "metadata, `iss` on authorization responses and introspection answers, the device flow's "
        "`verification_uri` and the API index all name it, whatever Host a request came with. Without it (the "
        "loopback demo, `PM_ALLOW_HTTP=1`) each request's own origin is used; outside the demo the server "
        "(`pmsite.wsgi`, `pmsite.asgi`) refuses to start without it, while `manage.py` commands run",
        shown="none: the server requires it unless `PM_ALLOW_HTTP=1`",
    )  # fmt: skip
    PM_HSTS_SECONDS = Variable(
        whole_number, 31536000, "the `Strict-Transport-Security` max-age sent outside the plain-HTTP demo",
        shown="`31536000` (one year)",
    )  # fmt: skip
    PM_TRUSTED_PROXY = Variable(
        ip_addresses, [],
        "IP address(es) of the TLS-terminating proxy; `X-Forwarded-Proto` and `X-Forwarded-For` are believed "
        "only on requests from there (the client address is the last `X-Forwarded-For` entry) and dropped from "
        "all others",
    )  # fmt: skip
    PM_FORCE_HTTPS = Variable(
        text, "", "gone: HTTPS is the default; the app refuses to start while it is set, saying so", shown="none"
    )

    def check(self) -> None:
        super().check()
        if self.PM_FORCE_HTTPS:
            raise ImproperlyConfigured(
                "PM_FORCE_HTTPS is gone: HTTPS is now the default. Remove it (set PM_ALLOW_HTTP=1 to serve plain HTTP)."
            )

    @property
    def public_url(self) -> str:
        return origin(self.PM_PUBLIC_URL, self.PM_ALLOW_HTTP)


class Database(Concern):
    title = "The database"

    DATABASE_URL = Variable(
        text, lambda database: f"sqlite:///{Site(database.environ).var_dir / 'db.sqlite3'}",
        "the database (`mysql://user:pass@host:3306/name` for MySQL; utf8mb4, persistent connections)",
        shown="`sqlite:///var/db.sqlite3`",
    )  # fmt: skip
    DB_CONN_MAX_AGE = Variable(whole_number, 60, "seconds a database connection is kept (MySQL)")
    DB_CONN_HEALTH_CHECKS = Variable(
        boolean, False,
        "ping the database before a request reuses a connection (one more round trip per request; without it a "
        "connection that failed is closed after its request, so a restarted database costs one failed request)",
    )  # fmt: skip
    DB_CONNECT_TIMEOUT = Variable(
        whole_number, 3, "seconds to wait for MySQL to accept a connection; past it the request is a 503"
    )


def with_redis(seconds: int) -> Any:
    return lambda shared: seconds if shared.REDIS_URL else 0


class SharedState(Concern):
    title = "Redis, and what each process keeps"

    REDIS_URL = Variable(
        text, "",
        "Redis for the login counters, shared by all workers and nodes (`redis://host:6379/0`), and the versions "
        "that let each process keep workspace rows, client rows and bearer lookups. While it is down (and "
        "without it) the counters live in MySQL's `pm_shared_cache` table, written through a connection of its "
        "own; on SQLite each process counts for itself (a one-machine demo)",
    )  # fmt: skip
    PM_WORKSPACE_CACHE_SECONDS = Variable(
        whole_number, with_redis(300),
        "how long a process may keep a workspace row (saves a query per request). Like the client rows below, "
        "this is no freshness window: a kept row is used only while the workspaces' version in Redis is the one "
        "it was read under, and every committed update or delete of a workspace, on any node and by any means "
        "(the admin, a bulk update, raw SQL), renews it (`plumbing/table_versions.py`), so a deactivated "
        "workspace answers 503 from the very next request on every node. `0` turns it off. At most 1,000 "
        "workspaces are kept per process, and a name that is no workspace is never kept",
        shown="`300` with Redis, `0` without",
    )  # fmt: skip
    PM_CLIENT_CACHE_SECONDS = Variable(
        whole_number, with_redis(60),
        "how long a process may keep a client row (saves the client's SELECT on every token request). This is no "
        "freshness window: a kept row is used only while a version in Redis still has the value it had when the "
        "row was read, every use reads that version, and every committed write to `OAUTH_CLIENTS` (through the "
        "ORM, a bulk update, a cascade or raw SQL, in any process with Redis whatever its own setting: "
        "`plumbing/table_versions.py`) gives it a new value, so a regenerated secret or a deleted client is "
        "refused by the very next request on every node. It only bounds how long a row could outlive a change "
        "Redis did not take (logged as an error) or one made by another program's SQL. Without Redis or while it "
        "is down, nothing is kept (`plumbing/row_cache.py`). At most 1,000 clients per process; an unknown client "
        "id is never kept",
        shown="`60` with Redis, `0` without",
    )  # fmt: skip
    PM_TOKEN_CACHE_SECONDS = Variable(
        whole_number, with_redis(10),
        "the same for a bearer token's lookup (the token, the user it acts for, the role, the web session), "
        "renewed by every committed update or delete of an access token, user, role or client and every write of "
        "a web-session link: a revoked token is refused by the very next request on every node. At most 1,000 "
        "tokens per process (about 3 MB); an unknown token is never kept; expiry is checked on every call. A "
        "deployment with many web sessions renews it every few seconds (each session's sliding expiry is a "
        "write), so its API calls keep less. Writes by other programs (a ProcessMaker plugin deleting rows of "
        "`OAUTH_ACCESS_TOKENS` by SQL) are seen only after these seconds: set it to `0` where such programs "
        "revoke tokens",
        shown="`10` with Redis, `0` without",
    )  # fmt: skip


class Operators(Concern):
    title = "Site operators (the Django admin) and the audit trail"

    PM_ADMIN_LOCKOUT_THRESHOLD = Variable(
        whole_number, 10,
        "failed admin logins, per username and per address, that lock it (as a workspace's limits do for its users)",
    )  # fmt: skip
    PM_ADMIN_LOCKOUT_WINDOW = Variable(whole_number, 900, "the seconds in which those failures are counted")
    PM_ADMIN_LOCKOUT_DURATION = Variable(whole_number, 900, "the seconds the lock lasts")
    PM_ADMIN_SECOND_FACTOR = Variable(
        one_of("off", "optional", "required"), "optional",
        "a second factor (an authenticator app) for site operators in the Django admin: `off`, `optional` (asked of "
        "those who added one from the admin's \"Second factor\" link) or `required` (each enrols at their next login)",
    )  # fmt: skip
    PM_ADMIN_IDLE_SECONDS = Variable(
        whole_number, 1800, "an operator's admin session ends after this long without a request"
    )
    PM_ADMIN_SESSION_SECONDS = Variable(
        whole_number, 12 * 3600, "and this long after its login, however busy", shown="`43200` (12 hours)"
    )
    PM_AUDIT_RETENTION_DAYS = Variable(
        whole_number, 365,
        "days `manage.py periodic` keeps audit events; `0` keeps them all (`purgeaudit` deletes on demand)",
    )  # fmt: skip


class Observability(Concern):
    title = "Logs and metrics"

    LOG_LEVEL = Variable(
        log_level, "INFO",
        "log level (logs go to stdout; oauthlib and the database backend are never logged below INFO, since they "
        "log whole tokens and SQL parameters at DEBUG)",
    )  # fmt: skip
    LOG_FORMAT = Variable(
        one_of("plain", "json"), "plain",
        "`json`: one JSON object per line (time, level, logger, request_id, message and fields)",
    )  # fmt: skip
    PM_ACCESS_LOG = Variable(
        boolean, lambda observability: observability.LOG_FORMAT == "json",
        "one `pm.request` line per request: method, URL pattern name, status, milliseconds, queries; never the "
        "path or query string",
        shown="on with `json` and in `docker/entrypoint.sh`", read_by=f"{SETTINGS}, {ENTRYPOINT} (its default there)",
    )  # fmt: skip
    PM_METRICS_TOKEN = Variable(text, "", "bearer token that may read `/metrics`")
    PM_METRICS_ALLOW = Variable(
        ip_networks, (),
        "addresses or networks that may read `/metrics` (`10.0.0.0/8,127.0.0.1`); with neither this nor the "
        "token, `/metrics` is 404",
        shown="empty",
    )  # fmt: skip
    PROMETHEUS_MULTIPROC_DIR = Variable(
        text, "", "where the worker processes add up their metrics (prometheus-client's multiprocess mode)",
        shown="a fresh temporary directory (`docker/entrypoint.sh`)", read_by=f"{SETTINGS}, {ENTRYPOINT}",
    )  # fmt: skip


class Server(Concern):
    """Read by the container's entrypoint, which starts the server, not by the app."""

    title = "The server process (`docker/entrypoint.sh`)"

    PM_SERVER = Variable(
        one_of("granian", "gunicorn"), "granian",
        "the server to start: `granian` (Rust HTTP in front of `PM_THREADS` Django threads per worker; its access "
        "log has no query strings) or `gunicorn` (sync workers); `make bench-servers` compares them",
        read_by=ENTRYPOINT,
    )  # fmt: skip
    PM_BIND = Variable(
        text, "0.0.0.0:8000",
        "the address and port to serve on (`make run`: `127.0.0.1:8080`, its `HOST` and `PORT`)",
        read_by=ENTRYPOINT,
    )  # fmt: skip
    WEB_CONCURRENCY = Variable(
        whole_number, 2, "worker processes (one per core suits this app: `make bench-servers`)", read_by=ENTRYPOINT
    )
    PM_THREADS = Variable(
        whole_number, 2,
        "Django threads per granian worker: two let a worker run one request while another waits on MariaDB or "
        "Redis (docs/performance.md)",
        read_by=ENTRYPOINT,
    )  # fmt: skip
    PM_BOOTSTRAP_WORKSPACE = Variable(
        text, "",
        "create this workspace, with ProcessMaker's roles, its web client and an admin, when it does not exist yet",
        shown="none", read_by=ENTRYPOINT,
    )  # fmt: skip
    PM_ADMIN_PASSWORD = Variable(
        text, "",
        "the password of that admin (`createworkspace` reads it too, when `--admin-password` is not given)",
        shown="generated and printed", read_by=f"{ENTRYPOINT}, accounts/management/commands/createworkspace.py",
    )  # fmt: skip
    PYTHON = Variable(text, "python", "the interpreter that runs `manage.py`", read_by=ENTRYPOINT)


CONCERNS: tuple[type[Concern], ...] = (Site, Https, Database, SharedState, Operators, Observability, Server)
GENERATED = "<!-- The tables below are generated from pmsite/config.py: `make configuration-docs`. -->"
DOCUMENT = BASE_DIR / "docs" / "configuration.md"


def markdown() -> str:
    sections = []
    for concern in CONCERNS:
        rows = [f"| `{v.name}` | {v.shown} | {v.meaning} |" for v in concern.variables()]
        about = f"\n{concern.__doc__.strip()}\n" if concern.__doc__ else ""
        sections.append(
            f"## {concern.title}\n{about}\n| variable | default | meaning |\n|---|---|---|\n" + "\n".join(rows)
        )
    return "\n\n".join(sections) + "\n"


def document_with_tables() -> str:
    """docs/configuration.md with its generated part as the declarations say it should be."""
    written = DOCUMENT.read_text()
    head, marker, _ = written.partition(GENERATED)
    if not marker:
        raise SystemExit(f"{DOCUMENT} has lost its marker line: {GENERATED}")
    return f"{head}{GENERATED}\n\n{markdown()}"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        DOCUMENT.write_text(document_with_tables())
    else:
        sys.stdout.write(markdown())
