"""State changes for OAuth clients and tokens; each one is a single transaction."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oauth_apps import errors
from oauth_apps.context import OAuthRequestContext
from oauth_apps.identifiers import new_client_secret
from oauth_apps.models import AccessToken, Application, Grant, RefreshToken
from workspaces.models import User, Workspace

log = logging.getLogger(__name__)

LOCAL_CLIENT_NAME = "PM Web Designer"


def checksum(token: str) -> str:
    """The key tokens are looked up by (django-oauth-toolkit's token_checksum)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- Clients -------------------------------------------------------------------------


@dataclass
class RegisteredClient:
    application: Application
    client_secret: str  # shown once; only its hash is stored


@transaction.atomic
def register_application(
    workspace: Workspace,
    owner: User,
    *,
    name: str,
    website: str,
    callback: str = "",
    description: str = "",
    public: bool = False,
) -> RegisteredClient:
    secret = "" if public else new_client_secret()
    application = Application(
        workspace=workspace,
        user=owner,
        name=name,
        website=website,
        redirect_uris=callback,
        description=description,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        client_secret=secret,
        # A public client has no secret at all (not a hash of the empty string).
        hash_client_secret=not public,
    )
    application.save()
    return RegisteredClient(application=application, client_secret=secret)


@transaction.atomic
def create_local_client(workspace: Workspace, owner: User) -> Application:
    """The workspace's own web client (ProcessMaker's x-pm-local-client).

    Its id is random and its secret is never shown: it only mints tokens for
    logged-in web sessions, server side.
    """
    return Application.objects.create(
        workspace=workspace,
        user=owner,
        name=LOCAL_CLIENT_NAME,
        website="",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        is_local=True,
    )


@transaction.atomic
def regenerate_secret(application: Application) -> str:
    """A new secret for a confidential client; the old one stops working at once."""
    secret = new_client_secret()
    application.client_secret = secret
    application.save(update_fields=["client_secret", "updated"])
    return secret


@transaction.atomic
def delete_application(application: Application) -> None:
    """Remove a client and, with it (cascade), every token and code it holds."""
    application.delete()


# --- Tokens ----------------------------------------------------------------------------


def issued_to(workspace: Workspace, client: Application, user: User | None) -> dict[str, Any]:
    """The columns every token and code row starts with: whose it is, integer keys and
    ProcessMaker's string columns alike (set here, so saving costs no lookups)."""
    return {
        "workspace": workspace,
        "application": client,
        "client_id": client.client_id,
        "user": user,
        "user_uid": user.uid if user else None,
    }


def issue_tokens(
    workspace: Workspace,
    *,
    client: Application,
    user: User | None,
    scope: str,
    access_token: str,
    refresh_token: str | None,
    family: uuid.UUID | None,
    source_refresh: RefreshToken | None = None,
    lifetime: int | None = None,
) -> AccessToken:
    """Store a new access token (and refresh token) in ProcessMaker's tables.

    The access token lives `lifetime` seconds, by default the workspace's access-token lifetime.
    """
    now = timezone.now()
    # Inside the token view's transaction already; no savepoint needed for these two rows.
    with transaction.atomic(savepoint=False):
        access = AccessToken(
            **issued_to(workspace, client, user),
            token=access_token,
            expires=now + timedelta(seconds=lifetime or workspace.access_token_lifetime),
            scope=scope,
            token_family=family,
            source_refresh_token=source_refresh,
        )
        access.save()
        if refresh_token and user is not None:
            refresh_lifetime = workspace.refresh_token_lifetime
            RefreshToken(
                **issued_to(workspace, client, user),
                token=refresh_token,
                access_token=access,
                token_family=family,
                expires=now + timedelta(seconds=refresh_lifetime) if refresh_lifetime else None,
                scope=scope,
            ).save()
    return access


def claim_refresh_token(context: OAuthRequestContext, client: Application, token: str) -> RefreshToken:
    """Mark a refresh token used, atomically, and return it; raise ProcessMaker's error otherwise.

    The claim is one conditional UPDATE, so of two concurrent refreshes with the same
    token exactly one wins; the loser, like any later replay, is treated as reuse and
    the token's whole family is revoked once the request has failed (RFC 9700 4.14.2).
    """
    now = timezone.now()
    token_key = checksum(token)
    mine = RefreshToken.objects.filter(workspace=context.workspace, application=client, token_checksum=token_key)
    live = Q(revoked__isnull=True) & (Q(expires__isnull=True) | Q(expires__gt=now))
    if mine.filter(live).update(revoked=now, updated=now) == 1:
        refresh = mine.select_related("user").get(revoked=now)
        if not refresh.user.can_log_in():
            raise errors.invalid_grant(errors.REFRESH_TOKEN_INVALID)
        return refresh
    refresh = mine.order_by("-revoked").first()
    if refresh is None:
        raise errors.invalid_grant(errors.REFRESH_TOKEN_INVALID)
    if refresh.revoked is not None:
        revoke_after_failure(context, client, refresh.token_family, "a used refresh token")
        raise errors.invalid_grant(errors.REFRESH_TOKEN_INVALID)
    raise errors.invalid_grant(errors.REFRESH_TOKEN_EXPIRED)


def save_authorization_code(
    workspace: Workspace,
    *,
    client: Application,
    user: User,
    code: str,
    redirect_uri: str,
    redirect_uri_sent: bool,
    scope: str,
    code_challenge: str,
    code_challenge_method: str,
) -> Grant:
    """Store a new authorization code; the tokens it will give share a new token family."""
    return Grant.objects.create(
        **issued_to(workspace, client, user),
        code=code,
        redirect_uri=redirect_uri,
        redirect_uri_sent=redirect_uri_sent,
        expires=timezone.now() + timedelta(seconds=workspace.authorization_code_lifetime),
        scope=scope,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        token_family=uuid.uuid4(),
    )


def claim_authorization_code(context: OAuthRequestContext, client: Application, code: str) -> Grant:
    """Mark an authorization code used, atomically, and return it (RFC 6749 4.1.2: one use).

    A second use fails like an unknown code and revokes the tokens issued from it
    (RFC 9700 4.2.4), once the failed request has been rolled back.
    """
    now = timezone.now()
    mine = Grant.objects.filter(workspace=context.workspace, application=client, code=code)
    grant = mine.select_related("user").first()
    if grant is None or grant.code != code:
        raise errors.invalid_grant(errors.CODE_INVALID)
    if grant.used_at is None and grant.expires <= now:
        raise errors.invalid_grant(errors.CODE_EXPIRED)
    if grant.used_at is not None or mine.filter(used_at__isnull=True).update(used_at=now, updated=now) != 1:
        revoke_after_failure(context, client, grant.token_family, "a used authorization code")
        raise errors.invalid_grant(errors.CODE_INVALID)
    if not grant.user.can_log_in():
        raise errors.invalid_grant(errors.CODE_INVALID)
    return grant


def revoke_after_failure(
    context: OAuthRequestContext, client: Application, family: uuid.UUID | None, what: str
) -> None:
    """A replayed credential: log it, and revoke its token family once the failed request
    has been rolled back (inside the request it would be rolled back too)."""
    log.warning(
        "%s was presented again by client %s in workspace %s; revoking every token of its family",
        what, client.client_id, context.workspace.name,
    )  # fmt: skip
    if family:
        context.after_failure.append(partial(revoke_family, family))


@transaction.atomic
def revoke_family(family: uuid.UUID) -> None:
    """Revoke every token descended from one original grant: refresh tokens are marked
    revoked (kept, so a later replay is still recognised), access tokens deleted."""
    now = timezone.now()
    RefreshToken.objects.filter(token_family=family, revoked__isnull=True).update(revoked=now, updated=now)
    AccessToken.objects.filter(token_family=family).delete()


@transaction.atomic
def revoke_client_tokens(application: Application) -> int:
    """Every token of one client; returns how many were revoked."""
    now = timezone.now()
    refresh = RefreshToken.objects.filter(application=application, revoked__isnull=True).update(
        revoked=now, updated=now
    )
    access, _ = AccessToken.objects.filter(application=application).delete()
    return refresh + access


@transaction.atomic
def revoke_user_tokens(user: User) -> None:
    """Every token of a user (ProcessMaker deletes them when a user is set INACTIVE)."""
    now = timezone.now()
    RefreshToken.objects.filter(user=user, revoked__isnull=True).update(revoked=now, updated=now)
    AccessToken.objects.filter(user=user).delete()
