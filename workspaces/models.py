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
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from plumbing import rows
from workspaces import profile, rbac, scopes, usernames
from workspaces.names import workspace_name_validator
from workspaces.rbac import PermissionCode as PermissionCode  # the catalogue, where the models' users look
from workspaces.usernames import FoldedNameField, fold_username, validate_username


class ErrorMode(models.TextChoices):
    # ProcessMaker answers token-endpoint errors with HTTP 200 (its REST layer overrides the 400).
    PROCESSMAKER = "processmaker", "ProcessMaker (HTTP 200 error bodies)"
    RFC6749 = "rfc6749", "RFC 6749 (HTTP 400/401 error bodies)"


# bshaffer/oauth2-server-php's refresh_token_lifetime, which ProcessMaker inherits: 14 days.
REFRESH_TOKEN_LIFETIME = 14 * 24 * 3600
MINUTE, DAY, YEAR = 60, 24 * 3600, 365 * 24 * 3600


def between(low: int, high: int | None = None) -> list[MinValueValidator | MaxValueValidator]:
    """The range a workspace setting must keep to (the admin and `setworkspace` say it on a bad value)."""
    return [MinValueValidator(low), *([MaxValueValidator(high)] if high is not None else [])]


class Workspace(models.Model):
    """A ProcessMaker workspace: the tenant named in every URL, with its OAuth settings."""

    name = models.CharField(max_length=64, unique=True, validators=[workspace_name_validator])
    is_active = models.BooleanField(default=True, help_text="An inactive workspace answers 503 everywhere.")
    access_token_lifetime = models.PositiveIntegerField(
        default=86400,
        validators=between(MINUTE, YEAR),
        help_text="Seconds an access token lives (RFC 6749 4.2.2 expires_in): 60 to 31,536,000 (a year).",
    )
    refresh_token_lifetime = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=REFRESH_TOKEN_LIFETIME,
        validators=between(MINUTE, 10 * YEAR),
        help_text="Seconds a refresh token lives, 60 to 315,360,000 (ten years): 14 days (1,209,600) by default, "
        "as ProcessMaker's OAuth library has it. "
        "Each refresh gives a new one (single use). Empty: it never expires, which RFC 9700 advises against.",
    )
    authorization_code_lifetime = models.PositiveIntegerField(
        default=30,
        validators=between(30, 10 * MINUTE),
        help_text="Seconds an authorization code lives (RFC 6749 4.1.2): 30 (ProcessMaker's) to 600 (the RFC's most).",
    )
    device_code_lifetime = models.PositiveIntegerField(
        default=600, validators=between(MINUTE, 30 * MINUTE),
        help_text="Seconds a device code and its user code live (RFC 8628 3.2, expires_in): 60 to 1,800.",
    )  # fmt: skip
    default_scope = models.CharField(
        max_length=200,
        default="*",
        validators=[scopes.validate_scope_list],
        help_text="Scopes granted when a client asks for none: one or more of *, view_process, edit_process.",
    )
    error_mode = models.CharField(max_length=16, choices=ErrorMode.choices, default=ErrorMode.PROCESSMAKER)
    consent_days = models.PositiveIntegerField(
        "remember consent (days)",
        default=0,
        validators=between(0, 365),
        help_text="Days a user's acceptance of an application is remembered: within them the same or a narrower "
        "set of scopes is granted without asking again (e.g. 30: asked about once a month per application). "
        "0 asks every time, as ProcessMaker does; at most 365. Revoking the application on the user's Authorized "
        "applications page forgets it at once.",
    )
    session_inactivity_timeout = models.PositiveIntegerField(
        default=1440,
        validators=between(MINUTE, DAY),
        help_text="Seconds of inactivity after which a web session ends: 60 to 86,400 (a day).",
    )
    lockout_threshold = models.PositiveIntegerField(
        default=10,
        validators=between(3, 1000),
        help_text="Failed logins for one username within the window that lock it: 3 to 1,000.",
    )
    lockout_window = models.PositiveIntegerField(
        default=900, validators=between(MINUTE, DAY), help_text="Seconds over which failed logins count: 60 to 86,400."
    )
    lockout_duration = models.PositiveIntegerField(
        default=900, validators=between(MINUTE, DAY), help_text="Seconds a locked username stays locked: 60 to 86,400."
    )
    # The password policy (workspaces.password_policy), ProcessMaker's PPP_* constants: NIST SP 800-63B's
    # shape by default, an imported workspace's own values from its db.php.
    password_min_length = models.PositiveIntegerField(
        "password minimum length", default=8, validators=between(1, 128),
        help_text="Characters a password needs at least (ProcessMaker's PPP_MINIMUM_LENGTH): 1 to 128.",
    )  # fmt: skip
    password_max_length = models.PositiveIntegerField(
        "password maximum length", default=128, validators=between(8, 1024),
        help_text="Characters a password may have at most (PPP_MAXIMUM_LENGTH): 8 to 1,024.",
    )  # fmt: skip
    password_needs_digit = models.BooleanField(
        "a digit", default=False, help_text="A password needs a digit 0-9 (PPP_NUMERICAL_CHARACTER_REQUIRED)."
    )
    password_needs_uppercase = models.BooleanField(
        "an upper-case letter", default=False,
        help_text="A password needs an upper-case letter (PPP_UPPERCASE_CHARACTER_REQUIRED).",
    )  # fmt: skip
    password_needs_special = models.BooleanField(
        "a special character", default=False,
        help_text="A password needs a character that is neither a letter nor a digit (PPP_SPECIAL_CHARACTER_REQUIRED).",
    )  # fmt: skip
    password_refuses_common = models.BooleanField(
        "refuse common passwords", default=True,
        help_text="Refuse a password on the list of 20,000 common ones (NIST SP 800-63B 5.1.1.2).",
    )  # fmt: skip
    password_refuses_username = models.BooleanField(
        "refuse the username in it", default=True,
        help_text="Refuse a password that contains the username, in any case.",
    )  # fmt: skip
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.password_max_length < self.password_min_length:
            raise ValidationError({"password_max_length": "The maximum length is below the minimum length."})


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
        default=False, help_text="ProcessMaker's USR_LOGGED_NEXT_TIME: stored and reported, not enforced here."
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
from workspaces.records import AuditEvent, AuditEventType, PeriodicTask  # noqa: E402

__all__ = [
    "AuditEvent", "AuditEventType", "ErrorMode", "PeriodicTask", "PermissionCode", "Role",
    "User", "UserManager", "Workspace", "fold_username", "generate_uid",
]  # fmt: skip
