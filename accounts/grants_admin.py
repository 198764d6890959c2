"""The Django admin's view of what a workspace user granted applications, with revoke: a read-only
panel on the user's page and a confirmation page that revokes (through accounts.services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts import services
from oauth_apps.consents import AuthorizedApplication, authorized_applications
from workspaces.http import signed_in_user
from workspaces.models import User


class UserGrantsAdminMixin:
    """For UserAdmin: `authorized_applications` (a read-only field) and the revoke page."""

    admin_site: Any

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<int:user_id>/grants/<str:client_id>/revoke/",
            self.admin_site.admin_view(self.revoke_grant),
            name="workspaces_user_revoke_grant",
        )
        return [revoke, *super().get_urls()]  # type: ignore[misc]

    def authorized_applications(self, obj: User) -> str:
        entries = authorized_applications(obj) if obj.pk and obj.workspace_id else []
        if not entries:
            return "None"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href='{}'>Revoke…</a></td></tr>",
            (
                (
                    entry.application.name, " ".join(entry.scopes) or "—", entry.live_tokens,
                    entry.last_issued.strftime("%Y-%m-%d %H:%M") if entry.last_issued else "—",
                    reverse("admin:workspaces_user_revoke_grant", args=[obj.pk, entry.application.client_id]),
                )
                for entry in entries
            ),
        )  # fmt: skip
        header = mark_safe(  # noqa: S308 - a constant
            "<tr><th>Application</th><th>Scope</th><th>Active tokens</th><th>Latest token</th><th></th></tr>"
        )
        return format_html("<table>{}{}</table>", header, rows)

    authorized_applications.short_description = "Authorized applications"  # type: ignore[attr-defined]

    def revoke_grant(self, request: HttpRequest, user_id: int, client_id: str) -> HttpResponse:
        user = get_object_or_404(User, pk=user_id, workspace__isnull=False)
        if not self.has_change_permission(request, user):  # type: ignore[attr-defined]
            raise Http404
        entry: AuthorizedApplication | None = next(
            (e for e in authorized_applications(user) if e.application.client_id == client_id), None
        )
        if entry is None:
            raise Http404("This application holds nothing of this user's.")
        back = reverse("admin:workspaces_user_change", args=[user.pk])
        if request.method == "POST":
            count = services.revoke_application_grant(user, entry.application, by=signed_in_user(request))
            messages.success(request, f"Revoked {entry.application.name} for {user.username}: {count} token(s) ended.")
            return HttpResponseRedirect(back)
        context = {**self.admin_site.each_context(request), "entry": entry, "target": user, "back": back,
                   "title": f"Revoke {entry.application.name} for {user.username}?"}  # fmt: skip
        return TemplateResponse(request, "admin/workspaces/user/revoke_grant.html", context)
