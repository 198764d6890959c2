"""Site-level pages: the newcomer's home page and the health check."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workspaces.models import Workspace


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Unknown and disabled workspaces answer 503 alike so probes cannot tell which exist; the
    # home page lists them only where an operator says so (PM_LIST_WORKSPACES=1, `make run`).
    listed = settings.PM_LIST_WORKSPACES
    workspaces = Workspace.objects.filter(is_active=True).order_by("name")[:50] if listed else []
    return render(request, "home.html", {"workspaces": workspaces, "listed": listed})


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
