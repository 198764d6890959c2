"""The strings the tenant floor's rules show a person, a command line or an API client, written once
(the OAuth endpoints' and pages' are in oauth_apps/errors.py, the REST API's in api/errors.py)."""

from __future__ import annotations

USERNAME_TAKEN = "A user named {username!r} already exists in workspace {workspace}."
