"""What RFC 7662 introspection says of a token: its claims when it is active, None when not.

Active means exactly what the REST API accepts (an access token goes through the same bearer
lookup: this workspace's, unexpired, acting for a user who can still log in) or, for a refresh
token, what the refresh grant accepts (this workspace's, never used or revoked, unexpired, its
user able to log in). Anything else, another workspace's token included, is simply inactive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oauth_apps.bearer import find_access_token
from oauth_apps.models import RefreshToken, usable_refresh
from workspaces.models import User, Workspace


def introspect(workspace: Workspace, token: str, hint: str | None, issuer: str) -> dict[str, Any] | None:
    lookups = (refresh_claims, access_claims) if hint == "refresh_token" else (access_claims, refresh_claims)
    for lookup in lookups:
        claims = lookup(workspace, token)
        if claims is not None:
            return {**claims, "iss": issuer}
    return None


def access_claims(workspace: Workspace, token: str) -> dict[str, Any] | None:
    presented = find_access_token(token)
    if presented is None:
        return None
    access, acting = presented
    if access.workspace_id != workspace.pk or not access.is_live():
        return None
    if acting is None or not acting.can_log_in():
        return None
    claims = {"scope": access.scope, "client_id": access.client_id, "token_type": "Bearer"}
    return {**claims, **times(access.created, access.expires), **subject(access.user)}


def refresh_claims(workspace: Workspace, token: str) -> dict[str, Any] | None:
    refresh = (
        RefreshToken.objects.presented(token)
        .filter(usable_refresh(), workspace=workspace)
        .select_related("user__role")
        .first()
    )
    if refresh is None:
        return None
    if not refresh.user.can_log_in():
        return None
    # RFC 7662 2.2: token_type is the access token's type (RFC 6749 7.1); a refresh token has none.
    claims = {"scope": refresh.scope, "client_id": refresh.client_id}
    return {**claims, **times(refresh.created, refresh.expires), **subject(refresh.user)}


def times(created: datetime, expires: datetime | None) -> dict[str, int]:
    claims = {"iat": int(created.timestamp())}
    if expires is not None:
        claims["exp"] = int(expires.timestamp())
    return claims


def subject(user: User | None) -> dict[str, str]:
    """The user a token was issued for; a client-credentials token has none (RFC 6749 4.4)."""
    return {"username": user.username, "sub": user.uid} if user is not None else {}
