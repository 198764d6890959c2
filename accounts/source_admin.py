"""The Django admin's page of authentication sources (workspaces.AuthSource), with its "Test
connection" action. The search password is write-only here: the form never shows it, and leaving the
field empty keeps the one stored."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from directory.check import test_connection
from plumbing import encryption
from workspaces.models import AuthSource


class AuthSourceForm(forms.ModelForm):  # type: ignore[type-arg]
    bind_password = forms.CharField(
        label="Search user password", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted (PM_ENCRYPTION_KEYS); never shown. Leave empty to keep the stored one.",
    )  # fmt: skip
    clear_bind_password = forms.BooleanField(label="Remove the stored search password", required=False)

    class Meta:
        model = AuthSource
        exclude: list[str] = []

    def clean_bind_password(self) -> str:
        typed = str(self.cleaned_data.get("bind_password") or "")
        if typed and not encryption.is_available():
            raise forms.ValidationError(encryption.NOT_SET)
        return typed

    def save(self, commit: bool = True) -> AuthSource:
        source: AuthSource = super().save(commit=False)
        typed = self.cleaned_data.get("bind_password")
        if self.cleaned_data.get("clear_bind_password"):
            source.bind_password = ""
        elif not typed and source.pk:
            source.bind_password = AuthSource.objects.get(pk=source.pk).bind_password
        if commit:
            source.save()
        return source


@admin.register(AuthSource)
class AuthSourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AuthSourceForm
    list_display = ["name", "workspace", "kind", "servers", "port", "encryption"]
    list_filter = ["workspace", "kind", "encryption"]
    search_fields = ["name", "servers", "base_dn"]
    readonly_fields = ["uid", "created", "updated"]
    actions = ["check_connection"]
    fieldsets = [
        (None, {"fields": ["workspace", "name", "kind", "uid"]}),
        (
            "Servers",
            {"fields": ["servers", "port", "encryption", "ca_certificates", "connect_timeout", "operation_timeout"]},
        ),  # fmt: skip
        (
            "Finding users",
            {
                "fields": [
                    "base_dn",
                    "bind_dn",
                    "bind_password",
                    "clear_bind_password",
                    "id_attribute",
                    "users_filter",
                    "retired_ou",
                    "attribute_map",
                ]
            },
        ),  # fmt: skip
        ("Dates", {"fields": ["created", "updated"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: AuthSource | None = None) -> list[str]:
        return [*self.readonly_fields, "workspace"] if obj else list(self.readonly_fields)

    @admin.action(description="Test connection: bind as the search user and find one user")
    def check_connection(self, request: HttpRequest, queryset: QuerySet[AuthSource]) -> None:
        for source in queryset.select_related("workspace"):
            checked = test_connection(source)
            level = messages.SUCCESS if checked.ok else messages.ERROR
            self.message_user(request, f"{source}: " + " ".join(checked.lines), level)
