"""/sys{ws}/{lang}/{skin}/oauth2/authorized: every logged-in user sees the applications that hold a
token or a consent of theirs, and revokes one (after a confirmation page; POST, then redirect)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oauth_apps import consents, errors
from oauth_apps.models import Application
from oauth_apps.views import login_redirect, page_url
from workspaces.http import WorkspaceRequest, forbid_framing
from workspaces.models import User


def requires_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A login session on this workspace (no permission needed); else to the login page and back."""

    @wraps(view)
    def wrapper(request: WorkspaceRequest, lang: str, skin: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            messages.info(request, errors.AUTHORIZED_LOG_IN)
            return login_redirect(request, request.workspace, lang, skin)
        return view(request, lang, skin, *args, **kwargs)

    return never_cache(forbid_framing(wrapper))


@require_http_methods(["GET"])
@requires_login
def authorized_list(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "authorized": consents.authorized_applications(user),
        "consent_days": request.workspace.consent_days,
    }
    return render(request, "oauth_apps/authorized/list.html", context)


@require_http_methods(["GET", "POST"])
@requires_login
def authorized_revoke(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    user = cast(User, request.user)
    base = page_url("authorized", request.workspace, lang, skin)
    entry = next((e for e in consents.authorized_applications(user) if e.application.client_id == client_id), None)
    if entry is None:
        raise Http404(errors.AUTHORIZED_NOT_FOUND)
    application: Application = entry.application
    if request.method == "POST":
        consents.revoke_application(user, application, by=user)
        messages.success(request, errors.AUTHORIZED_REVOKED.format(name=application.name))
        return HttpResponseRedirect(base)
    return render(request, "oauth_apps/authorized/revoke.html", {"entry": entry})
