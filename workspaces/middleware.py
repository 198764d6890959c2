"""Workspace routing: the tenant of every request.

The workspace is resolved here, once, from the three URL shapes ProcessMaker uses,
and kept on `request.workspace`; nothing else parses the URL for it again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from plumbing import rows
from plumbing.row_cache import RowCache, clone
from workspaces.http import is_ip_address
from workspaces.models import Workspace
from workspaces.names import WORKSPACE_NAME, path_shape

VALID_NAME = re.compile(rf"^{WORKSPACE_NAME}\Z")
log = logging.getLogger(__name__)

# Every request names a workspace, so each process keeps the rows it read (plumbing.row_cache): an
# entry is used only while the workspaces' shared version in Redis is the one it was read under,
# and every committed UPDATE or DELETE of a workspace, on any node and by any means (a save, a bulk
# update, raw SQL), renews that version (plumbing.table_versions says why this is exact).
# PM_WORKSPACE_CACHE_SECONDS only bounds how long a row is kept (0: no cache). Only workspaces that
# exist are kept, at most CACHED_WORKSPACES of them (the oldest entry goes first): a client probing
# made-up names costs a query, never memory. A new workspace renews nothing, since no process keeps
# a name that was not one.
CACHED_WORKSPACES = 1000
WORKSPACES: RowCache[Workspace] = RowCache(
    "workspaces:version",
    {Workspace._meta.db_table: False},
    CACHED_WORKSPACES,
    lambda: settings.PM_WORKSPACE_CACHE_SECONDS,
    clone,
)


def active_workspace(name: str) -> Workspace | None:
    """The active workspace called exactly `name`, read from the database."""
    workspace = rows.first(Workspace, name=name, is_active=True)
    # MySQL compares names case-insensitively; a workspace URL is an exact match.
    return workspace if workspace is not None and workspace.name == name else None


def workspace_name_from_path(path: str) -> str | None:
    """The workspace named by a workspace URL (workspaces.names.path_shape), '' for a malformed one,
    None for other paths."""
    shape = path_shape(path)
    return None if shape is None else shape.workspace


def is_person_page(path: str) -> bool:
    """A workspace URL a person opens in a browser: its pages (/sys{ws}/...) and the authorize and
    logout endpoints a client sends them to. Every other workspace route is a program's."""
    shape = path_shape(path)
    return shape is not None and (shape.kind == "page" or shape.is_for_people)


def no_such_workspace(request: HttpRequest) -> HttpResponse:
    """An unknown or inactive workspace: 503, the same for both, so a probe cannot tell them apart.

    A program gets ProcessMaker's answer, an empty body (its clients rely on it); a person's page a
    short page that says so, rather than the browser's "This page isn't working". Not an error of
    this server: anyone may ask for any name, so it is logged at DEBUG and without the path (Django's
    request log would write an ERROR line with it for every such request)."""
    log.debug("a request named no active workspace: 503")
    if is_person_page(request.path) and request.method in ("GET", "HEAD"):
        name = workspace_name_from_path(request.path) or ""
        response: HttpResponse = render(request, "no_workspace.html", {"name": name}, status=503)
    else:
        response = HttpResponse(status=503, content=b"", content_type="text/plain")
    response._has_been_logged = True  # type: ignore[attr-defined] # django.utils.log.log_response's flag
    return response


class WorkspaceRoutingMiddleware:
    """Sets `request.workspace`; an unknown or inactive workspace gets 503 with no body.

    The 503 with an empty body is what ProcessMaker's documentation promises for a
    workspace name that is not valid, and it is the same for every method, so a
    probe cannot tell an unknown workspace from a disabled one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        name = workspace_name_from_path(request.path)
        if name is not None:
            workspace = self.find_workspace(name)
            if workspace is None:
                return no_such_workspace(request)
            request.workspace = workspace  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def find_workspace(name: str) -> Workspace | None:
        if not VALID_NAME.match(name):
            return None
        return WORKSPACES.get(name, lambda: active_workspace(name))

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> None:
        # URL patterns capture the workspace name so they can be reversed; views take the
        # resolved workspace from the request instead, so the name is dropped here.
        view_kwargs.pop("ws", None)


class TrustedProxyMiddleware:
    """Believes X-Forwarded-For, X-Forwarded-Proto and X-Request-ID only from the proxy in PM_TRUSTED_PROXY.

    Behind nginx every request would otherwise come from one address, so per-client throttling
    would throttle everybody at once; believed from anyone, the headers would let a client choose
    the address it is throttled under. From a trusted proxy, REMOTE_ADDR becomes the last
    X-Forwarded-For entry (the one the proxy itself appended); from anyone else both headers are
    dropped, so nothing later (Django's SECURE_PROXY_SSL_HEADER included) can be fooled by them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = frozenset(settings.PM_TRUSTED_PROXY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if meta.get("REMOTE_ADDR") in self.trusted:
            client = meta.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
            if is_ip_address(client):
                meta["REMOTE_ADDR"] = client
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_REQUEST_ID", None)
        return self.get_response(request)
