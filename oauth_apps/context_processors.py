"""Template context for a workspace's pages: `route`, the URL arguments of the page being shown, so
templates build links with `{% url 'applications' ws=route.ws lang=route.lang skin=route.skin %}`
from the named routes rather than spelling /sys{ws}/en/neoclassic/ out."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workspaces.names import DEFAULT_LANG, DEFAULT_SKIN


def route(request: HttpRequest) -> dict[str, Any]:
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return {}
    # The routing middleware drops `ws` from the view's arguments; the language and skin stay.
    kwargs = request.resolver_match.kwargs if request.resolver_match is not None else {}
    return {
        "route": {
            "ws": workspace.name,
            "lang": kwargs.get("lang", DEFAULT_LANG),
            "skin": kwargs.get("skin", DEFAULT_SKIN),
        }
    }
