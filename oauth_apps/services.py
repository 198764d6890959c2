"""State changes for OAuth clients and tokens; each one is a single transaction."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from oauth_apps import errors, refresh_claim
from oauth_apps.exceptions import CredentialExpired, CredentialRefused, CredentialReplayed
from oauth_apps.identifiers import checksum, new_client_secret
from oauth_apps.models import AccessToken, Application, Consent, Grant, RefreshToken, live_access, usable_refresh
from oauth_apps.revocation import revoke_tokens
from plumbing import rows
from workspaces import audit
from workspaces.models import User, Workspace
from workspaces.services import WorkspaceError

LOCAL_CLIENT_NAME = "PM Web Designer"


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
    device_flow: bool = False,
    by: User | None = None,
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
        allow_device_flow=device_flow,
    )
    application.save()
    audit.record(
        audit.Event.APPLICATION_CREATED, workspace, by=by, user=owner, client_id=application.client_id,
        name=name, public=public,
    )  # fmt: skip
    return RegisteredClient(application=application, client_secret=secret)


@transaction.atomic
def update_application(application: Application, changed: list[str], *, by: User | None = None) -> None:
    """Save a client whose fields named in `changed` were just set (name, description, web site,
    callback; in the admin, its owner).

    A new callback forgets every remembered consent: users accepted sending their codes to the old
    one, and a consent remembered for it would send codes to the new one without asking. A new owner
    ends the client_credentials tokens, which acted as the old one (`oauth_apps.owners`). Its
    workspace never changes: its owner, tokens and consents stay in the old one."""
    if Application.objects.filter(pk=application.pk).exclude(workspace_id=application.workspace_id).exists():
        raise WorkspaceError(errors.WORKSPACE_IS_FIXED.format(what="an application"))
    application.save()
    facts: dict[str, Any] = {"fields": sorted(changed)}
    if "redirect_uris" in changed:
        facts["consents_forgotten"] = Consent.objects.filter(application=application).delete()[0]
    audit.record(
        audit.Event.APPLICATION_UPDATED, application.workspace_id, by=by, client_id=application.client_id, **facts
    )
    if "user" in changed:
        as_owner = AccessToken.objects.filter(application=application, user__isnull=True)
        revoke_tokens(access_tokens=as_owner.values_list("pk", flat=True), by=by, why="owner changed")


def local_client(workspace: Workspace) -> Application:
    """The workspace's own web client (ProcessMaker's x-pm-local-client), made if it is missing.

    Its id is random and its secret is never shown: it only mints tokens for logged-in web
    sessions, server side. It has no owner, so deleting any user leaves it in place.
    """
    found = Application.objects.filter(workspace=workspace, is_local=True).order_by("pk").first()
    if found is not None:
        return found
    with transaction.atomic():
        # Two first logins at once: the workspace row lock lets one of them create it.
        list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
        found = Application.objects.filter(workspace=workspace, is_local=True).order_by("pk").first()
        return found or Application.objects.create(
            workspace=workspace,
            user=None,
            name=LOCAL_CLIENT_NAME,
            website="",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            is_local=True,
        )


@transaction.atomic
def regenerate_secret(application: Application, *, by: User | None = None) -> str:
    """A new secret for a confidential client; the old one, and every token minted with it,
    stop working at once (a regenerated secret is usually a leaked one)."""
    secret = new_client_secret()
    application.client_secret = secret
    application.secret_unconfirmed_since = None  # a new secret needs no confirming (oauth_apps.owners)
    application.save(update_fields=["client_secret", "secret_unconfirmed_since", "updated"])
    audit.record(
        audit.Event.CLIENT_SECRET_REGENERATED, application.workspace_id, by=by, client_id=application.client_id
    )
    revoke_tokens(client=application, by=by, why="client secret regenerated")
    return secret


@transaction.atomic
def delete_application(application: Application, *, by: User | None = None) -> None:
    """Revoke every token of a client, then remove it with its codes."""
    revoke_tokens(client=application, by=by, why="client deleted")
    audit.record(
        audit.Event.APPLICATION_DELETED, application.workspace_id, by=by, client_id=application.client_id,
        name=application.name,
    )  # fmt: skip
    application.delete()


# --- Tokens ----------------------------------------------------------------------------


def live_token_count(application: Application) -> int:
    """Access tokens of the client that still work, and refresh tokens that still can."""
    now = timezone.now()
    access = AccessToken.objects.filter(live_access(now=now), application=application).count()
    return access + RefreshToken.objects.filter(usable_refresh(now=now), application=application).count()


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

    The access token lives `lifetime` seconds, by default the workspace's access-token lifetime. A
    refresh token given by a refresh (`source_refresh`) keeps the scope of the one it replaces, even
    when the new access token asked for less (RFC 6749 6: "identical to that of the refresh token
    included by the client"), so narrowing one access token never loses the original grant.
    ProcessMaker's library narrows the refresh token too; this follows the RFC on purpose.
    """
    now = timezone.now()
    two_rows = bool(refresh_token and user is not None)
    # Two rows go in together (inside the token view's transaction already: no savepoint); one
    # row needs no transaction of its own.
    with transaction.atomic(savepoint=False) if two_rows else nullcontext():
        access = AccessToken(
            **issued_to(workspace, client, user),
            token=access_token,
            expires=now + timedelta(seconds=lifetime or workspace.access_token_lifetime),
            scope=scope,
            token_family=family,
            source_refresh_token=source_refresh,
        )
        # What save() would write, without building the INSERT afresh (plumbing.rows): the
        # ProcessMaker columns are all set here already.
        rows.insert(access)
        if refresh_token and user is not None:
            refresh_lifetime = workspace.refresh_token_lifetime
            refresh = RefreshToken(
                **issued_to(workspace, client, user),
                # Only the hash is kept (RFC 9700 4.14): a database leak yields no usable
                # refresh token. django-oauth-toolkit keeps a checksum it is given when `token`
                # is blank; ProcessMaker's own SQL reads only ACCESS_TOKEN.
                token="",
                token_checksum=checksum(refresh_token),
                access_token=access,
                token_family=family,
                expires=now + timedelta(seconds=refresh_lifetime) if refresh_lifetime else None,
                scope=source_refresh.scope if source_refresh is not None else scope,
            )
            rows.insert(refresh)
    return access


def claim_refresh_token(workspace: Workspace, client: Application, token: str) -> RefreshToken:
    """Mark a refresh token used, atomically, and return it (with its user and role).

    The claim is one conditional UPDATE (`refresh_claim.mark_used`), so of two concurrent refreshes with
    the same token exactly one wins; the loser, like any later replay, gets `CredentialReplayed`.
    """
    now = timezone.now()
    refresh = refresh_claim.find_refresh_token(workspace, client, token)
    if refresh is None:
        raise CredentialRefused("unknown refresh token")
    if refresh.revoked is not None:
        raise CredentialReplayed("a used refresh token", refresh.token_family)
    if refresh.expires is not None and refresh.expires <= now:
        raise CredentialExpired("expired refresh token")
    if not refresh.user.can_log_in():
        raise CredentialRefused("the refresh token's user can no longer log in")
    if not refresh_claim.mark_used(refresh, now):  # another request claimed it since it was read
        raise CredentialReplayed("a used refresh token", refresh.token_family)
    return refresh


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
    **sign_in: Any,
) -> Grant:
    """Store a new authorization code; the tokens it will give share a new token family. `sign_in`:
    the web sign-in it is given in and the request's nonce, for an OpenID Connect ID token."""
    return Grant.objects.create(
        **issued_to(workspace, client, user),
        code=checksum(code),  # only the hash is kept: the code itself is in the user's redirect
        redirect_uri=redirect_uri,
        redirect_uri_sent=redirect_uri_sent,
        expires=timezone.now() + timedelta(seconds=workspace.authorization_code_lifetime),
        scope=scope,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        token_family=uuid.uuid4(),
        **sign_in,
    )


def claim_authorization_code(workspace: Workspace, client: Application, code: str) -> Grant:
    """Mark an authorization code used, atomically, and return it (RFC 6749 4.1.2: one use).

    A second use raises `CredentialReplayed`, naming the family of the tokens the code gave.
    """
    now = timezone.now()
    mine = Grant.objects.presented(code).filter(workspace=workspace, application=client)
    grant = mine.select_related("user__role").first()
    if grant is None:
        raise CredentialRefused("unknown authorization code")
    if grant.used_at is None and grant.expires <= now:
        raise CredentialExpired("expired authorization code")
    if grant.used_at is not None or mine.filter(used_at__isnull=True).update(used_at=now, updated=now) != 1:
        raise CredentialReplayed("a used authorization code", grant.token_family)
    if not grant.user.can_log_in():
        raise CredentialRefused("the authorization code's user can no longer log in")
    if not grant.user.approved_since_credentials_changed(grant.created):
        raise CredentialRefused("the authorization code's user changed their password since")
    return grant
