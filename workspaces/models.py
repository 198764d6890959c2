"""Workspaces (tenants), their roles and users.

ProcessMaker keeps one database per workspace; we keep one database with a
workspace on every row, so every lookup of a user, client or token is filtered
by the workspace the request was routed to.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from plumbing import rows
from workspaces import profile, rbac, usernames
from workspaces.rbac import PermissionCode as PermissionCode  # the catalogue, where the models' users look
from workspaces.usernames import FoldedNameField, fold_username, validate_username
from workspaces.workspace import ErrorMode, Workspace  # re-exported, where Django and the code look


class Role(models.Model):
    """A role of one workspace and the permission codes it grants (RBAC_ROLES)."""

    ADMIN, OPERATOR, MANAGER, GUEST = rbac.ADMIN, rbac.OPERATOR, rbac.MANAGER, rbac.GUEST

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        INACTIVE = "INACTIVE", "Inactive"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="roles")
    code = models.CharField(max_length=64, validators=[RegexValidator(r"^[A-Z0-9_]{1,64}\Z")])
    name = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    permissions = models.JSONField(default=list, blank=True, help_text="Permission codes, e.g. PM_USERS.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "code"], name="role_code_unique_per_workspace")]
        ordering = ["workspace", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.workspace})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def grants(self, permission: str) -> bool:
        return self.is_active and permission in self.permissions


def generate_uid() -> str:
    """ProcessMaker's USR_UID shape (32 lowercase hex), from a CSPRNG."""
    return secrets.token_hex(16)


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Natural keys serve the Django admin and createsuperuser, which know nothing of
        # workspaces; every workspace has its own "admin", so only operators qualify.
        return self.get(workspace__isnull=True, username_folded=fold_username(username or ""))

    def find_operator(self, username: str) -> User | None:
        """The site operator `username` names, or None."""
        return self.filter(workspace__isnull=True, username_folded=fold_username(username)).first()

    def find_in_workspace(self, workspace: Workspace, username: str) -> User | None:
        """The user (with the role) `username` names in `workspace`, or None; every login asks, so
        the statement is compiled once (plumbing.rows)."""
        return rows.first(
            self.model, related=("role",), workspace_id=workspace.pk, username_folded=fold_username(username)
        )

    def get_in_workspace(self, workspace: Workspace, username: str) -> User:
        """`find_in_workspace`, raising User.DoesNotExist for no such user."""
        found = self.find_in_workspace(workspace, username)
        if found is None:
            raise self.model.DoesNotExist(f"no user {username[:100]!r} in workspace {workspace.name}")
        return found

    def create_user(self, username: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields: Any) -> User:
        if self.filter(workspace__isnull=True, username_folded=fold_username(username)).exists():
            raise ValueError(f"An operator named {username!r} already exists.")
        fields.update(is_staff=True, is_superuser=True, workspace=None)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A ProcessMaker user (USERS / RBAC_USERS) of one workspace, or a site operator.

    Operators (no workspace) only use the Django admin; workspace users log in to their
    workspace's pages and obtain OAuth tokens there.
    """

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        INACTIVE = "INACTIVE", "Inactive"
        VACATION = "VACATION", "On vacation"  # cannot log in, as INACTIVE

    uid = models.CharField(
        "USR_UID",
        max_length=32,
        default=generate_uid,
        editable=False,
        help_text="ProcessMaker's user id: 32 lowercase hex, unique in the workspace (every ProcessMaker "
        "workspace's first admin is 00000000000000000000000000000001, so imported workspaces share ids).",
    )
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="users",
        help_text="Empty for site operators, who use only the Django admin.",
    )
    username = models.CharField(
        max_length=usernames.MAX_LENGTH,
        validators=[validate_username],
        help_text="As typed. Compared case- and width-insensitively, but not accent-insensitively "
        "(workspaces.usernames).",
    )
    username_folded = FoldedNameField(max_length=usernames.MAX_FOLDED_LENGTH, editable=False)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    due_date = models.DateField(null=True, blank=True, help_text="The account cannot log in after this day.")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    # ProcessMaker's profile (USERS), stored as its REST API takes them; see workspaces.profile.
    address = models.CharField(max_length=255, blank=True)
    zip_code = models.CharField(max_length=16, blank=True)
    country = models.CharField(max_length=3, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    city = models.CharField(max_length=3, blank=True, help_text="ISO 3166-2 region in the country, e.g. FL.")
    location = models.CharField(max_length=3, blank=True, help_text="UN/LOCODE place in the country, e.g. MIA.")
    phone = models.CharField(max_length=24, blank=True)
    fax = models.CharField(max_length=24, blank=True)
    cellular = models.CharField(max_length=24, blank=True)
    position = models.CharField(max_length=100, blank=True)
    birthday = models.DateField(null=True, blank=True)
    department = models.CharField(
        "DEP_UID", max_length=32, blank=True, help_text="Stored as given (no departments here)."
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who takes over their work.",
    )
    reports_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    calendar = models.CharField(max_length=32, blank=True, help_text="Stored as given (no calendars here).")
    ux = models.CharField(
        "USR_UX", max_length=16, default="NORMAL", choices=[(ux, ux.title()) for ux in profile.UX_CHOICES]
    )
    cost_by_hour = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    unit_cost = models.CharField(max_length=50, blank=True)
    time_zone = models.CharField(max_length=100, blank=True, validators=[profile.validate_time_zone])
    default_lang = models.CharField(max_length=10, blank=True, validators=[profile.validate_language])
    must_change_password = models.BooleanField(
        default=False,
        help_text="The password must be changed at the next web login (ProcessMaker's USR_LOGGED_NEXT_TIME).",
    )
    failed_logins = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Consecutive failed logins, for the workspace's deactivation rule; 0 after a success or reactivation",
    )  # fmt: skip
    auth_source = models.ForeignKey(
        "workspaces.AuthSource", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        help_text="The directory this user signs in against; empty: the password kept here.",
    )  # fmt: skip
    directory_dn = models.CharField(
        "directory DN", max_length=1000, blank=True, editable=False,
        help_text="The user's entry in the directory, as last found (ProcessMaker's USR_AUTH_USER_DN).",
    )  # fmt: skip
    passkey_handle = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The random id passkeys know this user by (WebAuthn's user handle), made at the first one.",
    )
    credentials_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the password last changed: authorization codes and device approvals from before are refused.",
    )
    is_staff = models.BooleanField(default=False, help_text="May log in to the Django admin.")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "username_folded"], name="username_unique_per_workspace"),
            models.UniqueConstraint(fields=["workspace", "uid"], name="uid_unique_per_workspace"),
            # Only site operators (no workspace) may use the Django admin.
            models.CheckConstraint(
                condition=models.Q(workspace__isnull=True) | models.Q(is_staff=False, is_superuser=False),
                name="workspace_users_are_never_staff",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="user_workspace_status")]
        ordering = ["workspace", "username_folded"]

    def __str__(self) -> str:
        return f"{self.username}@{self.workspace}" if self.workspace_id else self.username

    @classmethod
    def normalize_username(cls, username: str) -> str:
        # Django's would store the NFKC form; the name is kept as typed (less surrounding whitespace)
        # and compared in its folded form, `username_folded`.
        return username.strip() if isinstance(username, str) else username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.username_folded = fold_username(self.username)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.username_folded = fold_username(self.username)
        if self.role is not None and self.workspace_id and self.role.workspace_id != self.workspace_id:
            raise ValidationError({"role": "The role belongs to another workspace."})
        if self.auth_source is not None and self.auth_source.workspace_id != self.workspace_id:
            raise ValidationError({"auth_source": "The authentication source belongs to another workspace."})
        problems = profile.check_place(self.country, self.city, self.location)
        for field in ("replaced_by", "reports_to"):
            other = getattr(self, field)
            if other is not None and (other.workspace_id != self.workspace_id or other.workspace_id is None):
                problems[field] = "The user belongs to another workspace."
        if problems:
            raise ValidationError(problems)
        if self.workspace_id and (self.is_staff or self.is_superuser):
            raise ValidationError("A workspace user cannot be staff or a superuser: only site operators use the admin.")

    @property  # type: ignore[misc]
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status == self.Status.ACTIVE

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.username

    def can_log_in(self, today: date | None = None) -> bool:
        """ProcessMaker's login rules: active, not past the due date, a role that is active and
        grants PM_LOGIN. Web login, every grant that acts for a user and bearer tokens ask this."""
        today = today or timezone.localdate()
        if not self.is_active:
            return False
        if self.due_date is not None and self.due_date < today:
            return False
        if self.workspace_id is not None and not self.has_pm_permission(PermissionCode.PM_LOGIN):
            return False
        return True

    def approved_since_credentials_changed(self, moment: datetime) -> bool:
        """Whether something the user approved at `moment` (a code, a device) still stands: not if
        their password changed since (a reset is usually a leak)."""
        return self.credentials_changed_at is None or moment >= self.credentials_changed_at

    def has_pm_permission(self, permission: str) -> bool:
        return self.role is not None and self.role.grants(permission)

    @property
    def pm_permissions(self) -> set[str]:
        """The permissions the user holds now: their role's, if it is active."""
        return set(self.role.permissions) if self.role is not None and self.role.is_active else set()


# The audit log and the housekeeping records, in a module of their own: re-exported here, where Django
# and the rest of the code look for models.
from workspaces.auth_sources import AuthSource  # noqa: E402
from workspaces.factors import Passkey, RecoveryCode, SecondFactor  # noqa: E402
from workspaces.records import AuditEvent, AuditEventType, PeriodicTask, UsedPassword  # noqa: E402

__all__ = [
    "AuditEvent", "AuditEventType", "AuthSource", "ErrorMode", "Passkey", "PeriodicTask", "PermissionCode",
    "RecoveryCode", "Role", "SecondFactor", "UsedPassword", "User", "UserManager", "Workspace", "fold_username",
    "generate_uid",
]  # fmt: skip
