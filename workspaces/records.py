"""The records a workspace keeps beside its users: the audit log, the housekeeping runs and the
passwords users had. Models of
the `workspaces` app (workspaces.models re-exports them)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEventType(models.IntegerChoices):
    """What an audit event records, numbered by area (Zulip's RealmAuditLog style)."""

    LOGIN_SUCCEEDED = 100, "login succeeded"
    LOGIN_FAILED = 101, "login failed"
    USERNAME_LOCKED = 102, "username locked"
    ADDRESS_THROTTLED = 103, "address throttled"
    TOKENS_REVOKED = 200, "tokens revoked"
    CODE_REPLAYED = 201, "authorization code replayed"
    REFRESH_TOKEN_REUSED = 202, "refresh token reused"
    CROSS_WORKSPACE_ATTEMPT = 203, "credential of another workspace"
    TOKEN_EXPIRED = 204, "access token expired by its holder"
    APPLICATION_CREATED = 300, "application created"
    APPLICATION_UPDATED = 301, "application updated"
    APPLICATION_DELETED = 302, "application deleted"
    CLIENT_SECRET_REGENERATED = 303, "client secret regenerated"
    CLIENT_SECRETS_HELD = 304, "client secrets held for their owner to confirm"
    CLIENT_SECRET_CONFIRMED = 305, "client secret confirmed by its owner"
    USER_CREATED = 400, "user created"
    USER_ROLE_CHANGED = 401, "user role changed"
    USER_STATUS_CHANGED = 402, "user status changed"
    USER_PASSWORD_CHANGED = 403, "user password changed"
    USER_DELETED = 404, "user deleted"
    USER_DEACTIVATED_FAILED_LOGINS = 405, "user deactivated after failed logins"
    PASSWORD_CHANGE_REQUIRED = 406, "password change required at login"
    SECOND_FACTOR_ENROLLED = 410, "second factor enrolled"
    SECOND_FACTOR_REMOVED = 411, "second factor removed"
    SECOND_FACTOR_USED = 412, "second factor used"
    SECOND_FACTOR_FAILED = 413, "second factor failed"
    RECOVERY_CODE_USED = 414, "recovery code used"
    SECOND_FACTORS_RESET = 415, "second factors reset by an administrator"
    SECOND_FACTOR_LOCKED = 416, "second step locked after failures"
    PASSKEY_COUNTER_BACKWARDS = 417, "passkey refused: its signature counter went backwards"
    WORKSPACE_SETTINGS_CHANGED = 500, "workspace settings changed"
    WORKSPACE_RETIRED = 501, "workspace retired"
    WORKSPACE_RESTORED = 502, "workspace restored"
    WORKSPACE_DELETED = 503, "workspace deleted"


class AuditEvent(models.Model):
    """A security event of one workspace (or of the site operators, with no workspace).

    Who did what to whom, when, through which client and from which address, with a small JSON
    `extra`. Never a token, code, secret or password. Written by `workspaces.audit.record`.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    event_type = models.PositiveSmallIntegerField(choices=AuditEventType.choices)
    created = models.DateTimeField(default=timezone.now)
    acting_user = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="Who did it."
    )
    target_user = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="To whom."
    )
    client_id = models.CharField(max_length=80, blank=True, help_text="The OAuth client involved, if any.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(
        default=1,
        help_text="How many times it happened: an event anyone can cause without credentials (a client id of "
        "another workspace) is written once an hour per client and workspace, and counted here.",
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "event_type", "created"], name="audit_ws_type_created")]
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} at {self.created:%Y-%m-%d %H:%M:%S}"


class PeriodicTask(models.Model):
    """One housekeeping task of `manage.py periodic` (workspaces.periodic): when it last ran, how that
    went, and the lease of the run going on now, which lets one node at a time run it."""

    name = models.CharField(max_length=64, primary_key=True)
    last_started = models.DateTimeField(null=True, blank=True)
    last_finished = models.DateTimeField(null=True, blank=True, help_text="When its last run succeeded.")
    last_result = models.JSONField(default=dict, blank=True, help_text="What its last run did, or why it failed.")
    leased_until = models.DateTimeField(null=True, blank=True, help_text="A run holds the task until then.")
    leased_by = models.CharField(max_length=100, blank=True, help_text="Which process (host and pid) holds it.")

    def __str__(self) -> str:
        return self.name


class UsedPassword(models.Model):
    """A password a user had (its hash), for the workspace's history rule (workspaces.password_policy):
    written when it is replaced, and only as many as the rule looks at are kept."""

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="used_passwords")
    password = models.CharField(max_length=255, help_text="The hash, as the user's password field held it.")
    replaced = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-replaced"], name="used_password_user_replaced")]
        ordering = ["-replaced", "-pk"]

    def __str__(self) -> str:
        return f"a password of {self.user_id} replaced at {self.replaced:%Y-%m-%d %H:%M:%S}"
