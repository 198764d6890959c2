"""The workspace: the tenant named in every URL, with its OAuth, session and account settings. A model of
the `workspaces` app (workspaces.models re-exports it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from workspaces import scopes
from workspaces.names import workspace_name_validator


class ErrorMode(models.TextChoices):
    # ProcessMaker answers token-endpoint errors with HTTP 200 (its REST layer overrides the 400).
    PROCESSMAKER = "processmaker", "ProcessMaker (HTTP 200 error bodies)"
    RFC6749 = "rfc6749", "RFC 6749 (HTTP 400/401 error bodies)"


# bshaffer/oauth2-server-php's refresh_token_lifetime, which ProcessMaker inherits: 14 days.
REFRESH_TOKEN_LIFETIME = 14 * 24 * 3600
MINUTE, HOUR, DAY, YEAR = 60, 3600, 24 * 3600, 365 * 24 * 3600


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
    id_token_lifetime = models.PositiveIntegerField(
        "ID token lifetime", default=HOUR, validators=between(MINUTE, DAY),
        help_text="Seconds an OpenID Connect ID token is valid (its exp): 60 to 86,400; 3,600 by default.",
    )  # fmt: skip
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
    password_history = models.PositiveIntegerField(
        "password history", default=0, validators=between(0, 24),
        help_text="A new password may not be any of the user's last N, the current one included "
        "(PPP_PASSWORD_HISTORY): 0 (off) to 24.",
    )  # fmt: skip
    password_expiry_days = models.PositiveIntegerField(
        "password expires after (days)", default=0, validators=between(0, 3650),
        help_text="Days after which a password must be changed at the next web login (PPP_EXPIRATION_IN): "
        "0 never, as NIST SP 800-63B advises; at most 3,650.",
    )  # fmt: skip
    must_change_after_reset = models.BooleanField(
        "change after an administrator's reset", default=False,
        help_text="A password an administrator sets for someone else must be changed at their next web login.",
    )  # fmt: skip
    password_grant_refuses_change = models.BooleanField(
        "password grant refuses a password due for change", default=False,
        help_text="The password grant refuses a user whose password has expired, must be changed or no longer meets "
        "the policy (invalid_grant). Off: served, as ProcessMaker does (only its web login asks for the change). "
        "On for new workspaces made in RFC 6749 mode.",
    )  # fmt: skip
    failed_logins_deactivate = models.PositiveIntegerField(
        "deactivate after failed logins", default=0, validators=between(0, 1000),
        help_text="Consecutive failed logins (web or password grant) after which an existing user is set INACTIVE "
        "until an administrator reactivates them (PPP_FAILED_LOGINS): 0 off, as in ProcessMaker. Anyone who knows a "
        "username can use it to deactivate that account.",
    )  # fmt: skip
    session_absolute_lifetime = models.PositiveIntegerField(
        "session maximum lifetime", default=10 * HOUR, validators=between(5 * MINUTE, 30 * DAY),
        help_text="Seconds a web session lasts at most, however active: 300 to 2,592,000 (30 days); 36,000 "
        "(10 hours) by default.",
    )  # fmt: skip
    second_factor = models.CharField(
        "second factor", max_length=8, default="optional",
        choices=[("off", "Off"), ("optional", "Optional: offered, asked of those who enrolled"),
                 ("required", "Required")],
        help_text="Authenticator apps at the web login. Required: users without one enrol right after their password.",
    )  # fmt: skip
    second_factor_roles = models.JSONField(
        "required for roles", default=list, blank=True,
        help_text="With \"required\": the role codes it is required of, e.g. [\"PROCESSMAKER_ADMIN\"]; "
        "empty: everyone.",
    )  # fmt: skip
    password_grant_refuses_second_factor = models.BooleanField(
        "password grant refuses users with a second factor", default=False,
        help_text="The password grant cannot carry a second factor. Off: users with one may still use it "
        "(ProcessMaker's clients keep working). On: they are refused (invalid_grant) and use the code or device flow.",
    )  # fmt: skip
    passkey_login = models.BooleanField(
        "sign in with a passkey alone", default=False,
        help_text="The login page offers signing in with a passkey, no username or password (needs PM_PUBLIC_URL).",
    )  # fmt: skip
    logout_to_private_addresses = models.BooleanField(
        "back-channel logout to private addresses", default=False,
        help_text="OpenID Connect back-channel logout may reach loopback and private addresses (an application "
        "on this host or the internal network). Off: only public ones, so no one registering an application can "
        "make this server call into its own network.",
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
        roles = self.second_factor_roles
        if not isinstance(roles, list) or not all(isinstance(code, str) for code in roles):
            raise ValidationError({"second_factor_roles": 'A list of role codes, e.g. ["PROCESSMAKER_ADMIN"].'})
        unknown = set(roles) - set(self.roles.values_list("code", flat=True)) if self.pk else set()
        if unknown:
            raise ValidationError({"second_factor_roles": f"No such role here: {', '.join(sorted(unknown))}."})
