"""Django admin for site operators: workspaces with their settings, roles and users.

Every change goes through `accounts.services`, so the admin provisions a workspace exactly as
`createworkspace` does, and a password, status or role change here ends tokens as it does over REST.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from accounts import services, workspace_changes
from accounts.factor_admin import SecondFactorAdminMixin
from accounts.grants_admin import UserGrantsAdminMixin
from oauth_apps.errors import DIRECTORY_PASSWORD
from workspaces.adminactions import confirm_action, counted
from workspaces.errors import USERNAME_TAKEN
from workspaces.http import signed_in_user
from workspaces.models import AuditEvent, PermissionCode, Role, User, Workspace
from workspaces.services import WorkspaceError
from workspaces.usernames import fold_username


class NewWorkspaceForm(forms.ModelForm):
    """The workspace's settings, and its first admin (a workspace without one is unusable)."""

    admin_username = forms.CharField(max_length=100, initial="admin", label="First admin's username")
    admin_password1 = forms.CharField(label="First admin's password", strip=False, widget=forms.PasswordInput)
    admin_password2 = forms.CharField(label="Password confirmation", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = Workspace
        fields = ["name"]  # and the settings: the admin builds the form from its fieldsets

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"])
        try:
            services.check_new_workspace_name(name)
        except WorkspaceError as error:
            raise ValidationError(str(error)) from None
        return name

    def clean_admin_password2(self) -> str:
        password1 = self.cleaned_data.get("admin_password1")
        password2 = str(self.cleaned_data["admin_password2"])
        if password1 and password1 != password2:
            raise ValidationError("The two passwords differ.")
        # Judged by the policy the new workspace starts with, as its admin.
        admin = User(workspace=Workspace(), username=str(self.cleaned_data.get("admin_username") or ""))
        validate_password(password2, admin)
        return password2


RETIRE_OR_DELETE = (
    "To retire this workspace, clear Active and save (or use the list's Retire action): it answers 503 "
    "everywhere and nobody can log in or use a token, until it is made active again; nothing is deleted. "
    "To delete it with all its users, applications, tokens and audit events, run "
    "manage.py deleteworkspace {name} on the server: it asks you to type the name first."
)


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "access_token_lifetime", "error_mode", "created"]
    actions = ["retire"]
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
                    "device_code_lifetime",
                    "id_token_lifetime",
                    "logout_to_private_addresses",
                    "default_scope",
                    "error_mode",
                    "consent_days",
                ]
            },
        ),
        (
            "Web sessions and lockout",
            {
                "fields": [
                    "session_inactivity_timeout",
                    "session_absolute_lifetime",
                    "lockout_threshold",
                    "lockout_window",
                    "lockout_duration",
                    "failed_logins_deactivate",
                ]
            },
        ),
        (
            "Password policy",
            {
                "description": "What every password set for this workspace's users must meet, in the admin, "
                "the REST API and the commands (ProcessMaker's PPP_* settings).",
                "fields": [
                    "password_min_length",
                    "password_max_length",
                    "password_needs_digit",
                    "password_needs_uppercase",
                    "password_needs_special",
                    "password_refuses_common",
                    "password_refuses_username",
                    "password_history",
                    "password_expiry_days",
                    "must_change_after_reset",
                    "password_grant_refuses_change",
                ],
            },
        ),
        (
            "Second factor",
            {
                "fields": [
                    "second_factor",
                    "second_factor_roles",
                    "password_grant_refuses_second_factor",
                    "passkey_login",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: Any, obj: Workspace | None = None) -> list[str]:
        # The name is in every client's URLs and in ProcessMaker's tables: fixed once made.
        return ["name"] if obj else []

    def get_form(self, request: Any, obj: Workspace | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = NewWorkspaceForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Workspace | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            fieldsets.insert(1, ("First admin", {"fields": ["admin_username", "admin_password1", "admin_password2"]}))
        else:
            note = RETIRE_OR_DELETE.format(name=obj.name)
            fieldsets.append(("Retire or delete", {"fields": [], "description": note}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Workspace, form: Any, change: bool) -> None:
        if change:
            changed = {name: getattr(obj, name) for name in form.changed_data if name in workspace_changes.SETTINGS}
            workspace_changes.change_settings(obj, changed, by=signed_in_user(request))
            return
        data = form.cleaned_data
        services.provision_workspace(obj, data["admin_username"], data["admin_password2"])

    def has_delete_permission(self, request: HttpRequest, obj: Workspace | None = None) -> bool:
        # Its audit events go with it, which nobody may delete here: retire it (the action, or clear
        # Active), or delete it with `manage.py deleteworkspace`, as the change page says.
        return False

    @admin.action(description="Retire the selected workspaces (they answer 503 until made active again)")
    def retire(self, request: HttpRequest, queryset: QuerySet[Workspace]) -> TemplateResponse | None:
        active = queryset.filter(is_active=True)
        asked = confirm_action(
            self, request, queryset, title="Retire these workspaces?",
            consequence="Each answers 503 everywhere (its pages, its token endpoint, its API) and nobody can log "
            "in or use a token, until an operator makes it active again; nothing is deleted.",
            button="Yes, retire them",
        )  # fmt: skip
        if asked is not None:
            return asked
        retired = sum(workspace_changes.retire(workspace, by=signed_in_user(request)) for workspace in active)
        self.message_user(request, f"Retired {counted(retired, 'workspace')}.", messages.SUCCESS)
        return None


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=PermissionCode.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Role
        fields = ["workspace", "code", "name", "status", "permissions"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Codes outside the catalogue (a workspace imported with plugins' permissions) stay choosable,
        # so saving the form never drops them.
        known = set(PermissionCode.values)
        extra = [(code, code) for code in self.instance.permissions or [] if code not in known]
        cast(forms.MultipleChoiceField, self.fields["permissions"]).choices = [*PermissionCode.choices, *extra]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["code", "workspace", "status"]
    list_filter = ["workspace", "status"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Role | None = None) -> list[str]:
        return ["workspace"] if obj else []  # its users are in that workspace

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        services.save_role(obj, by=signed_in_user(request))


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
            taken = USERNAME_TAKEN.format(username=username, workspace=cleaned.get("workspace"))
            self.add_error("username", taken)
        return cleaned


# The operator on the admin's "change password" page: Django builds that form without the request.
_operator: ContextVar[User | None] = ContextVar("pm_admin_operator", default=None)


class RevokingPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page: a reset by an operator, which ends the user's tokens and
    holds the clients they own (accounts.services.save_user)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.user.auth_source_id is not None:  # their password is their directory's
            source = self.user.auth_source.name if self.user.auth_source else ""
            message = DIRECTORY_PASSWORD.format(username=self.user.username, source=source)
            raise ValidationError({"password1": message})
        return cleaned

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        if commit:
            services.save_user(user, ["password"], by=_operator.get())
        return user


@admin.register(User)
class UserAdmin(SecondFactorAdminMixin, UserGrantsAdminMixin, DjangoUserAdmin):
    add_form = WorkspaceUserCreationForm
    form = UserChangeForm
    change_password_form = RevokingPasswordChangeForm
    list_display = ["username", "workspace", "first_name", "last_name", "status", "role", "uid"]
    list_filter = ["workspace", "status", "role__code", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "uid"]
    ordering = ["workspace", "username_folded"]
    readonly_fields = [
        "uid", "created", "updated", "last_login", "authorized_applications", "failed_logins", "credentials_changed_at",
        "directory_dn", "second_factor_count",
    ]  # fmt: skip
    actions = ["reset_second_factors"]
    filter_horizontal = []
    raw_id_fields = ["replaced_by", "reports_to"]
    fieldsets = [
        (None, {"fields": ["workspace", "username", "password", "uid"]}),
        ("ProcessMaker", {"fields": ["first_name", "last_name", "email", "status", "due_date", "role"]}),
        (
            "Sign-in",
            {
                "fields": [
                    "auth_source",
                    "directory_dn",
                    "must_change_password",
                    "failed_logins",
                    "credentials_changed_at",
                ]
            },
        ),  # fmt: skip
        (
            "Profile",
            {
                "classes": ["collapse"],
                "fields": [
                    ("address", "zip_code"),
                    ("country", "city", "location"),
                    ("phone", "fax", "cellular"),
                    "position",
                    "birthday",
                    "department",
                    ("replaced_by", "reports_to"),
                    "calendar",
                    "ux",
                    ("cost_by_hour", "unit_cost"),
                    ("time_zone", "default_lang"),
                ],
            },
        ),
        ("Authorized applications", {"fields": ["authorized_applications"]}),
        ("Site operator", {"fields": ["is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "created", "updated"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["workspace", "username", "role", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fixed = list(super().get_readonly_fields(request, obj))
        return [*fixed, "workspace"] if obj else fixed  # accounts.services.save_user refuses a move

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        token = _operator.set(signed_in_user(request))
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _operator.reset(token)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            services.save_user(obj, form.changed_data, by=signed_in_user(request))
        else:
            services.add_user(obj, by=signed_in_user(request))

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        services.delete_user(obj, by=signed_in_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.delete_user(user, by=signed_in_user(request))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, read-only: events are written only by the changes they record."""

    list_display = [
        "created", "event_type", "workspace", "user", "username_tried", "by", "client_id", "address", "count"
    ]  # fmt: skip
    list_filter = ["workspace", "event_type", "created"]
    date_hierarchy = "created"
    search_fields = ["client_id", "acting_user__username", "target_user__username", "ip_address"]
    list_select_related = ["workspace", "acting_user", "target_user"]

    @admin.display(description="user", ordering="target_user__username_folded")
    def user(self, event: AuditEvent) -> str:
        return str(event.target_user.username) if event.target_user else "-"

    @admin.display(description="username tried")
    def username_tried(self, event: AuditEvent) -> str:
        """What a login typed (a failed one may name nobody): kept in the event's extra facts."""
        return str(event.extra.get("username", "")) or "-"

    @admin.display(description="by", ordering="acting_user__username_folded")
    def by(self, event: AuditEvent) -> str:
        return str(event.acting_user.username) if event.acting_user else "-"

    @admin.display(description="address", ordering="ip_address")
    def address(self, event: AuditEvent) -> str:
        return event.ip_address or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retention is `manage.py purgeaudit`


from accounts import source_admin  # noqa: E402, F401 - registers the authentication sources' page
