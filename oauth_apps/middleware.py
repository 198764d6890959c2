"""Web sessions per workspace: a login counts on its own workspace only, and slides with activity."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from oauth_apps import websessions
from workspaces.models import Workspace


class WebSessionMiddleware:
    """Runs after AuthenticationMiddleware. On another workspace's URLs the user is anonymous;
    on its own, the session and its token are kept alive (`websessions.extend`), and ended at the
    workspace's absolute cap."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        workspace: Workspace | None = getattr(request, "workspace", None)
        if workspace is not None and request.user.is_authenticated:
            if getattr(request.user, "workspace_id", None) != workspace.id:
                request.user = AnonymousUser()
            elif not websessions.extend(request, workspace):  # past the workspace's absolute cap
                websessions.end(request)
                auth.logout(request)
        return self.get_response(request)
