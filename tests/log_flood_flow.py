"""Run by tests/test_log_flooding.py in a subprocess: what anyone can send without a credential, many
times (another workspace's client id, unknown workspaces, too many fields, a Host not allowed), on a
throwaway database. The log is the process's stderr; the audit rows are printed after a marker."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.services import provision_workspace  # noqa: E402
from oauth_apps.services import register_application  # noqa: E402
from workspaces.models import AuditEvent, AuditEventType  # noqa: E402

ATTEMPTS = 30
call_command("migrate", verbosity=0)
home = provision_workspace("home", "admin", "a password at home")
provision_workspace("target", "admin", "a password at the target")
foreign = register_application(home.workspace, home.admin, name="home app", website="https://e.example")
web = Client()
guess = {"grant_type": "client_credentials", "client_id": foreign.application.client_id, "client_secret": "guess"}
for _ in range(ATTEMPTS):
    web.post("/target/oauth2/token", guess)
    web.post("/no-such-workspace/oauth2/token", {"grant_type": "password"})
    web.get("/sysno-such-workspace/en/neoclassic/login/login")
    web.post("/target/oauth2/token", "&".join(f"f{i}=1" for i in range(1200)),
             content_type="application/x-www-form-urlencoded")  # fmt: skip
    web.get("/target/oauth2/token", HTTP_HOST="not-allowed.example")
rows = AuditEvent.objects.filter(event_type=AuditEventType.CROSS_WORKSPACE_ATTEMPT)
print("=== audit ===")
print(json.dumps([{"client_id": row.client_id, "count": row.count, "extra": row.extra} for row in rows]))
