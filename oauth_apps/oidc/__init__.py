"""OpenID Connect: every workspace an identity provider (OpenID Connect Core 1.0, Discovery 1.0).

- `keys`: the workspace's signing keys (RS256, ES256), made on first use, rotated, published;
- `claims`: what the profile says about a user, per scope (ID token and UserInfo);
- `tokens`: ID tokens signed and read back (`id_token_hint`), with the sign-in they describe;
- `provider`: the validator's OpenID Connect side, which oauthlib's grants call.

Served only when `PM_PUBLIC_URL` is set (the issuer is `{PM_PUBLIC_URL}/{ws}`, and an issuer read
off each request's Host header would let anyone choose it) and PM_ENCRYPTION_KEYS can keep the
signing keys.
"""

from django.conf import settings

from workspaces.models import Workspace


def enabled() -> bool:
    return bool(settings.PM_PUBLIC_URL and settings.PM_ENCRYPTION_KEYS)


def why_disabled() -> str:
    """Why a workspace is no OpenID Connect provider here, in words for the admin ("" when it is)."""
    if not settings.PM_PUBLIC_URL:
        return "OpenID Connect is off: set PM_PUBLIC_URL, the origin its issuer and endpoints are named by."
    if not settings.PM_ENCRYPTION_KEYS:
        return "OpenID Connect is off: set PM_ENCRYPTION_KEYS, which its signing keys are stored encrypted with."
    return ""


def issuer(workspace: Workspace) -> str:
    """The workspace's issuer: the string the RFC 8414 metadata and `iss` already name."""
    return f"{settings.PM_PUBLIC_URL}/{workspace.name}"
