"""Django admin for operators: every workspace's applications and tokens, with revocation.

django-oauth-toolkit registers its own admin classes for the swapped models; these
replace them with ones that know workspaces and never display a secret or a token.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from oauth_apps import services
from oauth_apps.models import AccessToken, Application, Grant, RefreshToken

for model in (Application, AccessToken, RefreshToken, Grant):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace", "client_id", "user", "client_type", "is_local", "created"]
    list_filter = ["workspace", "client_type", "is_local"]
    search_fields = ["name", "client_id", "user__username"]
    raw_id_fields = ["user"]
    fields = [
        "workspace",
        "name",
        "description",
        "website",
        "redirect_uris",
        "user",
        "client_id",
        "client_type",
        "is_local",
    ]
    readonly_fields = ["client_id", "client_type", "is_local"]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registering shows the secret once; that happens on the applications page or
        # with `manage.py registerapp`, not in a form whose response could be cached.
        return False

    @admin.action(description="Revoke every token of the selected applications")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        count = sum(services.revoke_client_tokens(application) for application in queryset)
        self.message_user(request, f"Revoked {count} tokens.", messages.SUCCESS)


class TokenAdmin(admin.ModelAdmin):
    list_filter = ["workspace", "application__is_local"]
    search_fields = ["client_id", "user__username", "user_uid"]
    raw_id_fields = ["user", "application"]
    exclude = ["token", "token_checksum"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessToken)
class AccessTokenAdmin(TokenAdmin):
    list_display = ["pk", "workspace", "client_id", "user", "scope", "expires"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected access tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        count, _ = queryset.delete()
        self.message_user(request, f"Revoked {count} access tokens.", messages.SUCCESS)


@admin.register(RefreshToken)
class RefreshTokenAdmin(TokenAdmin):
    list_display = ["pk", "workspace", "client_id", "user", "scope", "expires", "revoked"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected refresh tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[RefreshToken]) -> None:
        count = queryset.filter(revoked__isnull=True).update(revoked=timezone.now())
        self.message_user(request, f"Revoked {count} refresh tokens.", messages.SUCCESS)


@admin.register(Grant)
class GrantAdmin(TokenAdmin):
    list_display = ["pk", "workspace", "client_id", "user", "scope", "expires", "used_at"]
    exclude = ["code"]
