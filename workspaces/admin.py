"""Django admin for site operators: workspaces with their settings, roles and users."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from workspaces.models import PermissionCode, Role, User, Workspace, fold_username


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "access_token_lifetime", "error_mode", "created"]
    list_filter = ["is_active", "error_mode"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            "OAuth",
            {
                "fields": [
                    "access_token_lifetime",
                    "refresh_token_lifetime",
                    "authorization_code_lifetime",
                    "default_scope",
                    "error_mode",
                ]
            },
        ),
        (
            "Web sessions and lockout",
            {
                "fields": [
                    "session_inactivity_timeout",
                    "lockout_threshold",
                    "lockout_window",
                    "lockout_duration",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: Any, obj: Workspace | None = None) -> list[str]:
        # The name is in every client's URLs and in ProcessMaker's tables: fixed once made.
        return ["name"] if obj else []


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=PermissionCode.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Role
        fields = ["workspace", "code", "name", "status", "permissions"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["code", "workspace", "status"]
    list_filter = ["workspace", "status"]
    search_fields = ["code", "name"]


class WorkspaceUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["workspace", "username", "role"]

    def clean_username(self) -> str:
        # Usernames are unique per workspace, not site-wide; the model's constraint
        # (checked in _post_clean) says so for the chosen workspace.
        return str(self.cleaned_data.get("username", "")).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        username = cleaned.get("username")
        if (
            username
            and User.objects.filter(
                workspace=cleaned.get("workspace"), username_folded=fold_username(username)
            ).exists()
        ):
            self.add_error("username", "A user with that username already exists in this workspace.")
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = WorkspaceUserCreationForm
    form = UserChangeForm
    list_display = ["username", "workspace", "first_name", "last_name", "status", "role", "uid"]
    list_filter = ["workspace", "status", "role__code", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "uid"]
    ordering = ["workspace", "username_folded"]
    readonly_fields = ["uid", "created", "updated", "last_login"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["workspace", "username", "password", "uid"]}),
        ("ProcessMaker", {"fields": ["first_name", "last_name", "email", "status", "due_date", "role"]}),
        ("Site operator", {"fields": ["is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "created", "updated"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["workspace", "username", "role", "password1", "password2"]}),
    ]
