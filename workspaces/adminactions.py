"""What the Django admin's actions share: a confirmation page before one that ends or retires
something (as Django's own "Delete selected" has), and counts in words ("1 access token")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

CONFIRMED = "confirmed"
SHOWN = 20  # the selected objects listed on the page; the rest are counted


def counted(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def confirm_action(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: str,
    consequence: str,
    button: str,
) -> TemplateResponse | None:
    """The page that asks before the action runs, or None once the operator said yes (the page posts
    the action and the selection back, with `confirmed`)."""
    if request.POST.get(CONFIRMED) == "yes":
        return None
    opts = model_admin.model._meta
    selected = list(queryset[:SHOWN])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "consequence": consequence,
        "button": button,
        "objects": selected,
        "more": max(queryset.count() - len(selected), 0),
        "action": request.POST.get("action", ""),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "checkbox_name": ACTION_CHECKBOX_NAME,
        "opts": opts,
        "app_label": opts.app_label,
    }
    return TemplateResponse(request, "admin/confirm_action.html", context)
