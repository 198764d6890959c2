"""django-oauth-toolkit's models, swapped in with ProcessMaker's table and column names.

ProcessMaker's own code and plugins read these tables directly (for example
`SELECT ACCESS_TOKEN FROM OAUTH_ACCESS_TOKENS WHERE USER_ID=... ORDER BY EXPIRES DESC`),
so the PM columns are real columns with PM's meaning. Foreign keys stay integer
(`application_id`, `USER_PK`) because django-oauth-toolkit filters on
`application_id = client.pk`; the PM string columns (`CLIENT_ID`, `USER_ID`) are
copied from them when a row is saved and never change afterwards.

Every row carries its workspace, so every lookup can be limited to the workspace a
request was routed to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    AbstractDeviceGrant,
    AbstractGrant,
    AbstractRefreshToken,
    ApplicationManager,
    ClientSecretField,
)

from oauth_apps import callbacks
from oauth_apps.errors import DEVICE_CODE_GRANT
from oauth_apps.identifiers import MAX_CLIENT_ID_LENGTH, checksum, new_client_id, new_client_secret
from oauth_apps.oidc import keys
from oauth_apps.oidc.records import IDToken, SignInRecord  # noqa: F401 - IDToken: where Django looks
from plumbing import rows, table_versions
from plumbing.row_cache import RowCache, clone
from workspaces.models import Role, User, Workspace
from workspaces.names import DEFAULT_LANG, DEFAULT_SKIN


class CredentialQuerySet(models.QuerySet[Any]):
    """Rows of tokens or codes, found by the credential a client presents (never stored as is,
    except ProcessMaker's ACCESS_TOKEN column)."""

    lookup = "token_checksum"

    def presented(self, credential: str) -> CredentialQuerySet:
        return self.filter(**{self.lookup: checksum(credential)})


def live_access(prefix: str = "", now: datetime | None = None) -> Q:
    """The one rule of a live access token, as a filter (`prefix` for a related token's fields): not
    past its expiry (a revoked access token is deleted, so that is all there is to it)."""
    return Q(**{f"{prefix}expires__gt": now or timezone.now()})


def usable_refresh(prefix: str = "", now: datetime | None = None) -> Q:
    """The one rule of a refresh token that can still be used, as a filter: not revoked (used,
    replaced or ended) and not past its expiry (NULL: a workspace that chose none)."""
    now = now or timezone.now()
    return Q(**{f"{prefix}revoked__isnull": True}) & (
        Q(**{f"{prefix}expires__isnull": True}) | Q(**{f"{prefix}expires__gt": now})
    )


class GrantQuerySet(CredentialQuerySet):
    lookup = "code"


class ApplicationQuerySet(models.QuerySet["Application"]):
    def find(self, workspace: Workspace, client_id: object) -> Application | None:
        """The registered client with exactly this id in `workspace`, or None.

        The one client lookup: the token endpoint, the authorize page and the applications pages
        all use it. Never the workspace's local web client, never another workspace's client.
        """
        if not isinstance(client_id, str) or not client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
            return None
        # Every token request makes this lookup: kept by each process while current (CLIENTS), else
        # read with a statement compiled once (plumbing.rows).
        return CLIENTS.get((workspace.pk, client_id), lambda: self._read(workspace, client_id))

    @staticmethod
    def _read(workspace: Workspace, client_id: str) -> Application | None:
        """The client with its owner and the owner's role (`oauth_apps.owners` asks them)."""
        found = rows.first(
            Application, related=("user",), workspace_id=workspace.pk, client_id=client_id, is_local=False
        )
        # MySQL compares case-insensitively; client ids are matched exactly.
        if found is None or found.client_id != client_id:
            return None
        owner = found.user
        if owner is not None:
            role = rows.first(Role, id=owner.role_id) if owner.role_id is not None else None
            User._meta.get_field("role").set_cached_value(owner, role)  # type: ignore[union-attr]
        return found


class Application(AbstractApplication):
    """An OAuth client (RFC 6749 section 2) registered in one workspace: OAUTH_CLIENTS.

    `client_secret` holds a salted hash (see `workspaces.hashers.ClientSecretHasher`);
    the plain secret is shown once, when it is made. A workspace's local web client
    (`is_local`) mints tokens for logged-in web sessions only and is refused at the
    token endpoint; it has no owner (`user` is NULL), so no user deletion can take it
    with it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="applications")
    client_id = models.CharField(
        "client ID",
        max_length=80,
        unique=True,
        default=new_client_id,
        db_column="CLIENT_ID",
        help_text="RFC 6749 2.2 client identifier: 32 letters A-Z.",
    )
    client_secret = ClientSecretField(
        "client secret",
        max_length=255,
        blank=True,
        default=new_client_secret,
        db_column="CLIENT_SECRET",
        help_text="Hash of the RFC 6749 2.3.1 client password; empty for a public client.",
    )
    name = models.CharField("name", max_length=256, db_column="CLIENT_NAME")
    description = models.CharField(max_length=1024, blank=True, db_column="CLIENT_DESCRIPTION")
    website = models.CharField("web site", max_length=1024, blank=True, db_column="CLIENT_WEBSITE")
    redirect_uris = models.TextField(
        "callback URL",
        blank=True,
        db_column="REDIRECT_URI",
        help_text="RFC 6749 3.1.2 redirection endpoint (ProcessMaker registers at most one).",
    )
    is_local = models.BooleanField(
        default=False, help_text="The workspace's own web client; never usable at the token endpoint."
    )
    secret_unconfirmed_since = models.DateTimeField(
        "secret held since",
        null=True,
        blank=True,
        help_text="Set when an administrator reset the owner's password: the client_credentials grant is refused "
        "until the owner confirms on the applications page that this secret is still theirs, or regenerates it.",
    )
    # OpenID Connect: ES256 or RS256 (HS256 would sign with the client secret, which is stored hashed).
    algorithm = models.CharField(
        "ID token signing algorithm", max_length=5, choices=[(name, name) for name in keys.ALGORITHMS],
        default=keys.RS256,
    )  # fmt: skip
    backchannel_logout_uri = models.CharField(
        "back-channel logout URL", max_length=1024, blank=True,
        help_text="OpenID Connect Back-Channel Logout: where a signed logout token is POSTed when a session it "
        "signed users in with ends.",
    )  # fmt: skip
    skip_authorization = models.BooleanField(
        "first-party: skip consent",
        default=False,
        help_text="The workspace's own application: signed-in users are not asked to consent, so silent sign-in "
        "(OpenID Connect prompt=none) works. Only an administrator sets it.",
    )
    allow_device_flow = models.BooleanField(
        "device flow",
        default=False,
        help_text="May start the device authorization grant (RFC 8628): for CLI tools and kiosks, whose user "
        "approves on another screen. Off unless the owner turns it on.",
    )

    objects = ApplicationManager.from_queryset(ApplicationQuerySet)()

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        db_table = "OAUTH_CLIENTS"
        indexes = [models.Index(fields=["workspace", "user"], name="client_workspace_owner")]

    def allows_grant_type(self, *grant_types: str) -> bool:
        # ProcessMaker lets every registered client use every grant it supports; the device flow,
        # which ProcessMaker has not, only clients whose owner turned it on.
        if self.is_local:
            return False
        return self.allow_device_flow or DEVICE_CODE_GRANT not in grant_types

    @property
    def is_public(self) -> bool:
        return self.client_type == self.CLIENT_PUBLIC

    def is_usable(self, request: Any = None) -> bool:
        """django-oauth-toolkit's question, asked of every client a token request names: may it be
        used at all? Always, as in ProcessMaker (OAUTH_CLIENTS has no status); what a client may do
        is `allows_grant_type`'s. The fast token path asks it without an oauthlib request, so an
        answer must not depend on one."""
        return True

    def clean(self) -> None:
        # A ProcessMaker client's callback is optional (the password and client-credentials grants
        # need none), but django-oauth-toolkit requires one for the authorization-code type it
        # records: without a callback, its checks are skipped, and the authorize page refuses
        # the client instead (errors.REDIRECT_URI_NOT_STORED). A callback it would refuse is explained
        # in the applications page's words first, not the library's ("URI Validation error...").
        for uri in self.redirect_uris.split():
            problem = callbacks.callback_problem(uri)
            if problem is not None:
                raise ValidationError({"redirect_uris": problem})
        if self.redirect_uris.strip():
            try:
                super().clean()
            except ValidationError as error:
                # Its RS256 check asks for its one global key; each workspace has keys of its own here.
                problems = {field: found for field, found in error.error_dict.items() if field != "algorithm"}
                if problems:
                    raise ValidationError(problems) from None
        if self.user is not None and self.user.workspace_id != self.workspace_id:
            raise ValidationError({"user": "The owner must be a user of the application's workspace."})

    def get_absolute_url(self) -> str:
        """The client's page for its owner ("View on site" in the Django admin). django-oauth-toolkit's
        points at its own URLs, which are not mounted here."""
        kwargs = {"ws": self.workspace.name, "lang": DEFAULT_LANG, "skin": DEFAULT_SKIN}
        if self.is_local:
            return reverse("applications", kwargs=kwargs)
        return reverse("application-edit", kwargs={**kwargs, "client_id": self.client_id})


# The clients each process keeps (plumbing.row_cache), with their owners: the row is wide, and its SELECT
# and the instance it becomes were a tenth of a client-credentials token. Valid until a write to
# OAUTH_CLIENTS, or to the users and roles that say what an owner may do, commits.
CACHED_CLIENTS = 1000
# Every web login writes the user's last_login (and a success after failures resets failed_logins),
# which neither the clients kept here nor the bearer lookups (oauth_apps.bearer) use: an UPDATE that
# sets nothing else renews neither.
table_versions.unread_columns(User._meta.db_table, {"last_login", "failed_logins"})  # field name = column
CLIENTS: RowCache[Application] = RowCache(
    "oauth:clients:version",
    {Application._meta.db_table: False, User._meta.db_table: False, Role._meta.db_table: False},
    CACHED_CLIENTS,
    lambda: settings.PM_CLIENT_CACHE_SECONDS,
    clone,
)


class AccessToken(AbstractAccessToken):
    """An access token (RFC 6749 section 1.4): OAUTH_ACCESS_TOKENS.

    `token` is ProcessMaker's ACCESS_TOKEN (40 lowercase hex); it is looked up through
    django-oauth-toolkit's unique `token_checksum` (SHA-256 of it). `user_uid` is NULL
    for client-credentials tokens, which act for no user (RFC 6749 4.4).
    `token_family` ties together every token descended from one original grant, so a
    replayed code or refresh token can revoke them all (RFC 9700 4.2.4, 4.14.2).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="access_tokens",
        db_column="USER_PK",
    )
    token = models.CharField("access token", max_length=255, db_column="ACCESS_TOKEN")
    client_id = models.CharField("client ID", max_length=80, db_column="CLIENT_ID", editable=False)
    user_uid = models.CharField("user UID", max_length=32, null=True, blank=True, db_column="USER_ID", editable=False)
    expires = models.DateTimeField(db_column="EXPIRES")
    scope = models.TextField(blank=True, db_column="SCOPE")
    token_family = models.UUIDField(null=True, blank=True, editable=False)

    objects = CredentialQuerySet.as_manager()

    class Meta(AbstractAccessToken.Meta):
        swappable = "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL"
        db_table = "OAUTH_ACCESS_TOKENS"
        indexes = [
            models.Index(fields=["user_uid", "expires"], name="access_token_user_expires"),
            models.Index(fields=["workspace", "expires"], name="access_token_ws_expires"),
            models.Index(fields=["token_family"], name="access_token_family"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        copy_pm_columns(self)
        super().save(*args, **kwargs)

    def is_live(self, now: datetime | None = None) -> bool:
        """`live_access` for this row."""
        return self.expires > (now or timezone.now())


class RefreshToken(AbstractRefreshToken):
    """A refresh token (RFC 6749 section 1.5, 6): OAUTH_REFRESH_TOKENS.

    Single use: a refresh marks it `revoked` and issues a new one in the same
    `token_family`. Stored only as its SHA-256 (`token_checksum`); REFRESH_TOKEN stays blank.
    It keeps its own scope and expiry (the workspace's refresh-token lifetime, 14 days by default;
    NULL only where a workspace chose no expiry), so it outlives its access token.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="refresh_tokens",
        db_column="USER_PK",
    )
    token = models.CharField("refresh token", max_length=255, db_column="REFRESH_TOKEN")
    client_id = models.CharField("client ID", max_length=80, db_column="CLIENT_ID", editable=False)
    user_uid = models.CharField("user UID", max_length=32, null=True, blank=True, db_column="USER_ID", editable=False)
    expires = models.DateTimeField(null=True, blank=True, db_column="EXPIRES")
    scope = models.TextField(blank=True, db_column="SCOPE")

    objects = CredentialQuerySet.as_manager()

    class Meta(AbstractRefreshToken.Meta):
        swappable = "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL"
        db_table = "OAUTH_REFRESH_TOKENS"

    def save(self, *args: Any, **kwargs: Any) -> None:
        copy_pm_columns(self)
        super().save(*args, **kwargs)

    def is_usable(self, now: datetime | None = None) -> bool:
        """`usable_refresh` for this row."""
        return self.revoked is None and (self.expires is None or self.expires > (now or timezone.now()))


class Grant(SignInRecord, AbstractGrant):
    """An authorization code (RFC 6749 4.1.2): OAUTH_AUTHORIZATION_CODES.

    AUTHORIZATION_CODE holds the code's SHA-256, never the code. A used code is kept with
    `used_at` set rather than deleted, so a second use can be
    told from an unknown code and the tokens it produced revoked (RFC 9700 4.2.4).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="authorization_codes",
        db_column="USER_PK",
    )
    code = models.CharField("authorization code", max_length=255, unique=True, db_column="AUTHORIZATION_CODE")
    client_id = models.CharField("client ID", max_length=80, db_column="CLIENT_ID", editable=False)
    user_uid = models.CharField("user UID", max_length=32, null=True, blank=True, db_column="USER_ID", editable=False)
    redirect_uri = models.TextField(blank=True, db_column="REDIRECT_URI")
    redirect_uri_sent = models.BooleanField(
        default=False, help_text="Whether the authorize request named a redirect_uri (RFC 6749 4.1.3)."
    )
    expires = models.DateTimeField(db_column="EXPIRES")
    scope = models.TextField(blank=True, db_column="SCOPE")
    used_at = models.DateTimeField(null=True, blank=True)
    token_family = models.UUIDField(null=True, blank=True, editable=False)

    objects = GrantQuerySet.as_manager()

    class Meta(AbstractGrant.Meta):
        swappable = "OAUTH2_PROVIDER_GRANT_MODEL"
        db_table = "OAUTH_AUTHORIZATION_CODES"
        verbose_name = "authorization code"

    def save(self, *args: Any, **kwargs: Any) -> None:
        copy_pm_columns(self)
        super().save(*args, **kwargs)


class DeviceGrant(AbstractDeviceGrant):
    """An RFC 8628 device authorization (`oauth_apps.device`): one device's pending request, which a
    user approves or denies on the verification page. `device_code` holds the SHA-256 of the code
    the device polls with (the code itself is never stored); `client_id` is the client's."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When the user approved or denied it.")

    class Meta(AbstractDeviceGrant.Meta):
        swappable = "OAUTH2_PROVIDER_DEVICE_GRANT_MODEL"
        db_table = "OAUTH_DEVICE_GRANTS"


def copy_pm_columns(row: AccessToken | RefreshToken | Grant) -> None:
    """Fill ProcessMaker's string columns from the integer foreign keys, once."""
    if not row.client_id and row.application_id:
        row.client_id = row.application.client_id
    if row.user_uid is None and row.user_id:
        row.user_uid = row.user.uid
    if not row.workspace_id and row.application_id:
        row.workspace_id = row.application.workspace_id


# The records beside the tokens, in a module of their own: re-exported here, where Django and the rest
# of the code look for models.
from oauth_apps.oidc.backchannel import LogoutDelivery  # noqa: E402, F401
from oauth_apps.records import Consent, UserSessionToken  # noqa: E402, F401
