"""Watching it: /health, /ready and /metrics for load balancers and Prometheus, a request id on
every request and log line, and a request log that never holds a credential.

- `/health`: liveness. The process answers; nothing else is asked (no database).
- `/ready`: the database answers, every migration is applied, and Redis (when REDIS_URL is set)
  answers. 503 when the database or the migrations are not; 200 "degraded" when only Redis is down
  (login counters then live in the database: plumbing.window_counters), so a load balancer keeps a
  node that still issues tokens.
- `/metrics`: Prometheus' text format, only for a bearer of PM_METRICS_TOKEN or a client address in
  PM_METRICS_ALLOW; 404 when neither is set.
- The request log (`pm.request`, on with LOG_FORMAT=json or PM_ACCESS_LOG=1) names the URL
  pattern (`token`, `login`, `api-user-data`...), never the path: ProcessMaker's expire and delete
  routes carry a token in the path.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from plumbing import requestid
from plumbing.failover_cache import redis_status
from plumbing.metrics import DB_QUERIES, REQUEST_SECONDS

access_log = logging.getLogger("pm.request")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_migrated = False


def endpoint(request: HttpRequest) -> str:
    """The name of the URL pattern the request matched (its pattern when it has none): a bounded
    label that holds no token, workspace or user name."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unmatched"


class RequestMiddleware:
    """A request id (bound for the log and answered as X-Request-ID), the latency and query-count
    metrics, and one request-log line per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = settings.PM_ACCESS_LOG

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = requestid.new(request.META.get("HTTP_X_REQUEST_ID"))
        bound = requestid.bind(request_id)
        queries = [0]

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            queries[0] += 1
            return execute(*args)

        began = time.perf_counter()
        try:
            with connection.execute_wrapper(count):
                response = self.get_response(request)
            elapsed = time.perf_counter() - began
            route = endpoint(request)
            method = request.method if request.method in METHODS else "OTHER"
            REQUEST_SECONDS.labels(method, route).observe(elapsed)
            DB_QUERIES.labels(route).inc(queries[0])
            response["X-Request-ID"] = request_id
            if self.log_requests:
                access_log.info(
                    "%s %s %s %.1f ms",
                    method, route, response.status_code, elapsed * 1000,
                    extra={"method": method, "endpoint": route, "status": response.status_code,
                           "duration_ms": round(elapsed * 1000, 1), "queries": queries[0]},
                )  # fmt: skip
            return response
        finally:
            requestid.unbind(bound)


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_safe
def ready(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "applied" if migrations_applied() else "pending"
    except DatabaseError:
        checks["database"] = "unreachable"
    redis = redis_status(caches["default"])
    if redis is not None:
        checks["redis"] = redis
    if checks["database"] != "ok" or checks.get("migrations") != "applied":
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    degraded = checks.get("redis", "ok") != "ok"
    return JsonResponse({"status": "degraded" if degraded else "ready", "checks": checks})


def migrations_applied() -> bool:
    """No migration left to apply; once true, true for the life of the process (new code, new process)."""
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    token, allowed = settings.PM_METRICS_TOKEN, settings.PM_METRICS_ALLOW
    if not token and not allowed:
        return HttpResponse(status=404)
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    by_token = bool(token) and constant_time_compare(sent, f"Bearer {token}")
    if not by_token and not address_allowed(request.META.get("REMOTE_ADDR", ""), allowed):
        return JsonResponse({"error": "forbidden"}, status=403)
    registry = REGISTRY
    if settings.PROMETHEUS_MULTIPROC_DIR:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def address_allowed(address: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in networks)
