"""Site-level pages: the newcomer's home page and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from workspaces.models import Workspace


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    workspaces = Workspace.objects.filter(is_active=True).order_by("name")[:50]
    return render(request, "home.html", {"workspaces": workspaces})


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
