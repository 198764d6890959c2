"""Run by tests/test_log_secrets.py in a subprocess at the LOG_LEVEL it is given: every grant, a
refresh, the code flow with PKCE, revocation and API calls, on a throwaway database. Prints the
credentials it saw, one per line after a marker, so the test can look for them in the log."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.services import provision_workspace  # noqa: E402
from oauth_apps.services import register_application  # noqa: E402
from workspaces.models import User  # noqa: E402

logging.getLogger("logscan").debug("debug lines are written")  # proves the level really is this low
call_command("migrate", verbosity=0)
PASSWORD = "a password for the log scan"
workspace = provision_workspace("logscan", "admin", PASSWORD).workspace
admin = User.objects.get_in_workspace(workspace, "admin")
app = register_application(workspace, admin, name="scan", website="https://e.example", callback="https://e.example/cb")
secrets = [PASSWORD, app.client_secret]
web = Client()
token_url = "/logscan/oauth2/token"
base = {"client_id": app.application.client_id, "client_secret": app.client_secret}

password = web.post(token_url, {**base, "grant_type": "password", "username": "admin", "password": PASSWORD}).json()
secrets += [password["access_token"], password["refresh_token"]]
refreshed = web.post(token_url, {**base, "grant_type": "refresh_token", "refresh_token": password["refresh_token"]})
secrets += [refreshed.json()["access_token"], refreshed.json()["refresh_token"]]
replay = web.post(token_url, {**base, "grant_type": "refresh_token", "refresh_token": password["refresh_token"]})
credentials = web.post(token_url, {**base, "grant_type": "client_credentials"}).json()
secrets.append(credentials["access_token"])
web.post(token_url, {**base, "grant_type": "password", "username": "admin", "password": "wrong " + PASSWORD})

browser = Client()
browser.post("/syslogscan/en/neoclassic/login/login", {"username": "admin", "password": PASSWORD})
verifier = "a-verifier-of-enough-length-for-rfc7636-0123456789"
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
query = {"response_type": "code", "client_id": app.application.client_id, "state": "s1",
         "code_challenge": challenge, "code_challenge_method": "S256"}  # fmt: skip
browser.get("/logscan/oauth2/authorize", query)
answer = browser.post("/logscan/oauth2/authorize?" + "&".join(f"{k}={v}" for k, v in query.items()), {"accept": "1"})
code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
exchanged = web.post(token_url, {**base, "grant_type": "authorization_code", "code": code, "code_verifier": verifier})
secrets += [code, verifier, exchanged.json()["access_token"], exchanged.json()["refresh_token"]]
web.post(token_url, {**base, "grant_type": "authorization_code", "code": code, "code_verifier": verifier})

api = Client()
bearer = {"Authorization": f"Bearer {password['access_token']}"}
api.get("/api/1.0/logscan/light/user/data", headers={"Authorization": f"Bearer {exchanged.json()['access_token']}"})
api.get("/api/1.0/logscan/users", headers=bearer)
api.post(
    "/api/1.0/logscan/user",
    json.dumps({"usr_username": "x", "usr_firstname": "x", "usr_lastname": "x", "usr_email": "x@e.example",
                "usr_new_pass": "new user password 1", "usr_cnf_pass": "new user password 1"}),
    content_type="application/json", headers={"Authorization": f"Bearer {credentials['access_token']}"},
)  # fmt: skip
secrets.append("new user password 1")
web.post("/logscan/oauth2/revoke", {**base, "token": refreshed.json()["access_token"]})

# ProcessMaker's routes carry a token in the path: requests to them that fail (a wrong method, a path
# that matches no route, a workspace in the wrong case), under both prefixes, with a live token.
live = web.post(token_url, {**base, "grant_type": "client_credentials"}).json()["access_token"]
secrets.append(live)
for prefix in ("/logscan/oauth2", "/api/1.0/logscan/oauth2", "/LogScan/oauth2", "/api/1.0/LOGSCAN/oauth2"):
    web.get(f"{prefix}/{live}/expire")
    web.put(f"{prefix}/{live}")
    web.post(f"{prefix}/{live}/expire/now")
    web.delete(f"{prefix}/{live}/")
api.get("/api/1.0/logscan/light/user/data", headers={"Authorization": f"Bearer {live}"})  # still live
print("=== credentials ===")
print("\n".join(secrets))
