"""What each test process keeps to itself when pytest-xdist runs the suite in parallel.

pytest-django gives every worker a test database of its own (`test_<name>_gw0`, ...). What else a
test shares with the machine gets a per-worker name here: its Redis database, and the MariaDB
databases the import tests build. Without xdist (the tests that run apart, or a plain `pytest`),
the names are the ones the suite always used.

Redis databases: 15 for a run without xdist, 12 down to 5 for workers gw0 to gw7 (the Makefile runs
at most 8), which leaves 13 and 14 to tests/test_faults.py and tests/test_multinode.py.
"""

from __future__ import annotations

import os

SERIAL_REDIS_DATABASE = 15
FIRST_WORKER_REDIS_DATABASE = 12
MOST_WORKERS = 8


def worker() -> str:
    """This process's xdist worker id (`gw0`, ...), or "" outside xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


def redis_database() -> int:
    name = worker()
    if not name:
        return SERIAL_REDIS_DATABASE
    number = int(name.removeprefix("gw"))
    if number >= MOST_WORKERS:
        raise RuntimeError(f"at most {MOST_WORKERS} xdist workers have a Redis database of their own (-n)")
    return FIRST_WORKER_REDIS_DATABASE - number


def redis_url(base: str) -> str:
    """`base` (redis://host:port/db) pointed at this process's database."""
    server = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{server}/{redis_database()}"


def own_name(name: str) -> str:
    """A MariaDB database name of this process's own."""
    return f"{name}_{worker()}" if worker() else name
