"""Prometheus metrics (prometheus-client), defined once here where every floor can count.

Served at /metrics (pmsite.observability). Under several worker processes, set
PROMETHEUS_MULTIPROC_DIR to an empty directory shared by the workers (docker/entrypoint.sh does):
each process writes its counts there and /metrics adds them up. Labels are bounded sets only: the
workspace name, the grant type, an OAuth error code, a URL pattern; never a user, client or token.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TOKENS_ISSUED = Counter("pm_tokens_issued", "Access tokens issued.", ["workspace", "grant"])
TOKEN_ERRORS = Counter(
    "pm_token_errors", "Error answers of the token, revoke and introspection endpoints.", ["workspace", "error"]
)
LOCKOUTS = Counter("pm_login_lockouts", "Usernames locked and addresses throttled.", ["workspace", "kind"])
REQUEST_SECONDS = Histogram(
    "pm_request_seconds",
    "Time to answer a request, by URL pattern.",
    ["method", "endpoint"],
    buckets=(0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Counter("pm_db_queries", "Database queries made while answering requests, by URL pattern.", ["endpoint"])
CACHE_FALLBACKS = Counter(
    "pm_shared_cache_fallbacks", "Operations on the shared counters answered by the database while Redis is down."
)
