"""How long a failed password check takes, by kind of account: nothing should tell them apart.

.venv/bin/python bench/login_timing.py   (in-process, on a throwaway SQLite database)

Prints the median over ROUNDS of django.contrib.auth.authenticate() with a wrong password for an
unknown username, a user with an Argon2id hash, and users with imported ProcessMaker hashes.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='pm-timing-')}/db.sqlite3"
os.environ.pop("REDIS_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.services import create_user, provision_workspace  # noqa: E402
from workspaces.hashers import wrap_legacy  # noqa: E402
from workspaces.models import Role, User  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "40"))

call_command("migrate", verbosity=0)
workspace = provision_workspace("timing", "admin", "the admin password").workspace
role = workspace.roles.get(code=Role.OPERATOR)
create_user(workspace, "argon", "a real password 1", role=role)
for username, legacy in [
    ("sha", "pm_sha256$" + hashlib.sha256(b"a real password 1").hexdigest()),
    ("md5", "pm_md5$" + hashlib.md5(b"a real password 1").hexdigest()),  # noqa: S324 - ProcessMaker's own
    ("wrapped", wrap_legacy("pm_md5$" + hashlib.md5(b"a real password 1").hexdigest())),  # noqa: S324
]:
    create_user(workspace, username, "placeholder 123", role=role)
    User.objects.filter(username=username).update(password=legacy)


def median_ms(username: str) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert authenticate(None, username=username, password="a wrong password", workspace=workspace) is None
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


print(f"failed password check, median of {ROUNDS}:")
for label, username in [
    ("unknown user", "nobody"),
    ("Argon2id hash", "argon"),
    ("bare pm_sha256", "sha"),
    ("bare pm_md5", "md5"),
    ("wrapped pm_md5", "wrapped"),
]:
    print(f"  {label:<20} {median_ms(username):6.1f} ms")
