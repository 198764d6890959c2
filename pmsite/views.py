"""Site-level pages: the newcomer's home page (the probes are in pmsite.observability)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workspaces.models import Workspace
from workspaces.names import DEFAULT_LANG, DEFAULT_SKIN


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Unknown and disabled workspaces answer 503 alike so probes cannot tell which exist; the
    # home page lists them only where an operator says so (PM_LIST_WORKSPACES=1, `make run`).
    listed = settings.PM_LIST_WORKSPACES
    workspaces = Workspace.objects.filter(is_active=True).order_by("name")[:50] if listed else []
    context = {"workspaces": workspaces, "listed": listed, "lang": DEFAULT_LANG, "skin": DEFAULT_SKIN}
    return render(request, "home.html", context)
