"""Django admin for operators: every workspace's applications and tokens, with revocation.

django-oauth-toolkit registers its own admin classes for the swapped models; these
replace them with ones that know workspaces and never display a secret or a token.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from oauth_apps import oidc
from oauth_apps.forms import OpenIDConnectFields, callback_transport_warning, validate_callback_url
from oauth_apps.models import (
    AccessToken,
    Application,
    DeviceGrant,
    Grant,
    IDToken,
    RefreshToken,
    live_access,
    usable_refresh,
)  # fmt: skip
from oauth_apps.revocation import revoke_tokens
from oauth_apps.services import update_application
from workspaces.adminactions import confirm_action, counted
from workspaces.http import signed_in_user

# django-oauth-toolkit's admin classes are replaced below; what operators never use (Django's
# groups, OpenID Connect's ID tokens, pending device requests) is not shown at all.
for model in (Application, AccessToken, RefreshToken, Grant, IDToken, DeviceGrant, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class StateFilter(admin.SimpleListFilter):
    """Live, expired or (refresh tokens) revoked."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        states = [("live", "Live"), ("expired", "Expired")]
        return [*states, ("revoked", "Revoked")] if model_admin.model is RefreshToken else states

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        revocable = queryset.model is RefreshToken
        if self.value() == "live":
            return queryset.filter(usable_refresh(now=now) if revocable else live_access(now=now))
        if self.value() == "expired":
            return queryset.filter(expires__lte=now)
        if self.value() == "revoked" and revocable:
            return queryset.filter(revoked__isnull=False)
        return queryset


class ApplicationAdminForm(OpenIDConnectFields):
    """The applications page's rules for the callback (oauth_apps.forms), in the admin."""

    class Meta:
        model = Application
        fields = ["name", "description", "website", "redirect_uris", "user", "algorithm", "post_logout_redirect_uris",
                  "backchannel_logout_uri", "skip_authorization"]  # fmt: skip

    def clean_redirect_uris(self) -> str:
        value = str(self.cleaned_data.get("redirect_uris") or "").strip()
        if value:
            validate_callback_url(value)
            self.warning = callback_transport_warning(value, self.instance.workspace)
        return value


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationAdminForm
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
        "skip_authorization",
        "algorithm",
        "post_logout_redirect_uris",
        "backchannel_logout_uri",
        "openid_connect",
    ]
    # The workspace is fixed (oauth_apps.services.update_application): its owner and tokens are there.
    readonly_fields = ["workspace", "client_id", "client_type", "is_local", "openid_connect"]
    actions = ["revoke_tokens"]

    @admin.display(description="OpenID Connect")
    def openid_connect(self, application: Application) -> str:
        """Where the application's workspace is an OpenID Connect provider, or why it is not."""
        return oidc.why_disabled() or f"Served: {oidc.issuer(application.workspace)}/.well-known/openid-configuration"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registering shows the secret once; that happens on the applications page or
        # with `manage.py registerapp`, not in a form whose response could be cached.
        return False

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        update_application(obj, form.changed_data, by=signed_in_user(request))
        if getattr(form, "warning", None):
            self.message_user(request, form.warning, messages.WARNING)

    @admin.action(description="Revoke every token of the selected applications")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Application]) -> TemplateResponse | None:
        asked = confirm_action(
            self, request, queryset, title="Revoke every token of these applications?",
            consequence="Every access and refresh token they hold stops working at once: their users must log in "
            "or approve them again. The applications stay registered.",
            button="Yes, revoke their tokens",
        )  # fmt: skip
        if asked is not None:
            return asked
        operator = signed_in_user(request)
        count = sum(revoke_tokens(client=application, by=operator, why="site operator") for application in queryset)
        self.message_user(
            request, f"Revoked {counted(count, 'token')} of {counted(len(queryset), 'application')}.", messages.SUCCESS
        )
        return None


class TokenAdmin(admin.ModelAdmin):
    list_filter = [StateFilter, "workspace", "application__is_local"]
    list_select_related = ["workspace", "user", "application"]
    search_fields = ["client_id", "user__username", "user_uid"]
    raw_id_fields = ["user", "application"]
    exclude = ["token", "token_checksum"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected %(verbose_name_plural)s (each with the other token of its pair)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Any]) -> TemplateResponse | None:
        opts = self.model._meta
        asked = confirm_action(
            self, request, queryset, title=f"Revoke these {opts.verbose_name_plural}?",
            consequence=f"Each {opts.verbose_name} stops working at once, with the other token of its pair; "
            "whoever holds them must log in or approve the application again.",
            button="Yes, revoke them",
        )  # fmt: skip
        if asked is not None:
            return asked
        pks = list(queryset.values_list("pk", flat=True))
        if self.model is AccessToken:
            revoke_tokens(access_tokens=pks, by=signed_in_user(request), why="site operator")
        else:
            revoke_tokens(refresh_tokens=pks, by=signed_in_user(request), why="site operator")
        self.message_user(
            request, f"Revoked {counted(len(pks), str(opts.verbose_name), str(opts.verbose_name_plural))}.",
            messages.SUCCESS,
        )  # fmt: skip
        return None

    @admin.display(description="application", ordering="application__name")
    def application_name(self, obj: Any) -> str:
        return obj.application.name if obj.application_id else "-"

    @admin.display(description="issued", ordering="created")
    def issued(self, obj: Any) -> str:
        return short(obj.created)

    @admin.display(description="expires", ordering="expires")
    def expires_at(self, obj: Any) -> str:
        return short(obj.expires)

    @admin.display(description="state")
    def state(self, obj: Any) -> str:
        if getattr(obj, "revoked", None):
            return "revoked"
        if isinstance(obj, RefreshToken):
            return "live" if obj.is_usable() else "expired"
        if isinstance(obj, AccessToken):
            return "live" if obj.is_live() else "expired"
        return "expired" if obj.expires <= timezone.now() else "live"  # an authorization code


def short(moment: Any) -> str:
    """A compact local time (the lists are wide enough for every column only with it)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


@admin.register(AccessToken)
class AccessTokenAdmin(TokenAdmin):
    list_display = ["state", "workspace", "application_name", "client_id", "user", "scope", "issued", "expires_at"]
    actions = ["revoke"]


@admin.register(RefreshToken)
class RefreshTokenAdmin(TokenAdmin):
    list_display = [
        "state", "workspace", "application_name", "client_id", "user", "scope", "issued", "expires_at", "revoked_at"
    ]  # fmt: skip
    actions = ["revoke"]

    @admin.display(description="revoked", ordering="revoked")
    def revoked_at(self, obj: RefreshToken) -> str:
        return short(obj.revoked)


@admin.register(Grant)
class GrantAdmin(TokenAdmin):
    list_display = [
        "state", "workspace", "application_name", "client_id", "user", "scope", "issued", "expires_at", "used"
    ]  # fmt: skip
    exclude = ["code"]

    @admin.display(description="used", ordering="used_at")
    def used(self, obj: Grant) -> str:
        return short(obj.used_at)
