"""The records the OAuth floor keeps beside its tokens: the web sessions' tokens (ProcessMaker's
PMOAUTH_USER_ACCESS_TOKENS) and users' consents. Models of the `oauth_apps` app (oauth_apps.models
re-exports them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from workspaces.models import Workspace


class UserSessionToken(models.Model):
    """An access token minted for a logged-in web session: PMOAUTH_USER_ACCESS_TOKENS.

    It belongs to the workspace's local web client and lives exactly as long as the login
    session: its EXPIRES moves with the session's sliding expiry, and it is deleted at
    logout, so ProcessMaker's query on OAUTH_ACCESS_TOKENS finds it while the user works.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    access_token = models.OneToOneField("oauth_apps.AccessToken", on_delete=models.CASCADE, related_name="web_session")
    token = models.CharField("access token", max_length=255, db_column="ACCESS_TOKEN", editable=False)
    user_uid = models.CharField("user UID", max_length=32, db_column="USER_ID", editable=False)
    session_key = models.CharField("session id", max_length=64, db_column="SESSION_ID", db_index=True)
    session_name = models.CharField("session cookie name", max_length=64, db_column="SESSION_NAME")
    sid = models.CharField(
        "session ID for OpenID Connect", max_length=64, blank=True, db_index=True, editable=False,
        help_text="The `sid` the session's ID tokens carry: its relying parties are told when it ends.",
    )  # fmt: skip

    class Meta:
        db_table = "PMOAUTH_USER_ACCESS_TOKENS"

    def __str__(self) -> str:
        return f"web session token #{self.pk}"


class Consent(models.Model):
    """A user's acceptance of an application for a set of scopes on the consent page.

    Kept for every acceptance, so the user's Authorized applications page can say when they first
    authorized it; it spares the user the page only while the workspace's `consent_days` say so
    (`oauth_apps.consents`). Revoking the application forgets it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey("oauth_apps.Application", on_delete=models.CASCADE, related_name="consents")
    scope = models.TextField(help_text="The scopes accepted, space separated.")
    created = models.DateTimeField(auto_now_add=True, help_text="First accepted.")
    granted = models.DateTimeField(help_text="Last accepted: remembered from here for the workspace's consent days.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "application"], name="one_consent_per_user_and_client")]

    def __str__(self) -> str:
        return f"{self.user} -> {self.application}: {self.scope}"
