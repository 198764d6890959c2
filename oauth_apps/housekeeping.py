"""Dead tokens, codes and ID tokens, deleted (`purgetokens` on demand, `manage.py periodic` every hour); signing
keys rotated (`manage.py periodic` daily, `rotatesigningkeys` on demand)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from oauth_apps.models import AccessToken, Grant, IDToken, RefreshToken
from oauth_apps.oidc import backchannel, keys
from workspaces.periodic import Run, register
from workspaces.purging import Pace, purge

KEEP_REVOKED_DAYS = 30


def dead_tokens(keep_revoked_days: int) -> dict[str, QuerySet[Any]]:
    """What may go, by kind: expired access tokens; refresh tokens expired, or used or revoked more
    than `keep_revoked_days` ago (kept that long so a replay is still recognised and answered by
    revoking its family); authorization codes a day past their expiry."""
    now = timezone.now()
    return {
        "access_tokens": AccessToken.objects.filter(expires__lt=now),
        "refresh_tokens": RefreshToken.objects.filter(expires__lt=now)
        | RefreshToken.objects.filter(revoked__lt=now - timedelta(days=keep_revoked_days)),
        "authorization_codes": Grant.objects.filter(expires__lt=now - timedelta(days=1)),
        # A refresh repeats the sign-in its family's newest ID token describes: kept as long as a
        # used refresh token, so a family refreshed within that time keeps a recent one.
        "id_tokens": IDToken.objects.filter(expires__lt=now - timedelta(days=keep_revoked_days)),
    }


@register("purge-tokens", timedelta(hours=1), "Delete expired tokens, old used refresh tokens and old codes.")
def purge_tokens(run: Run) -> dict[str, Any]:
    renew = lambda _: run.still_working()  # noqa: E731 - between batches
    return {name: purge(queryset, Pace(), renew) for name, queryset in dead_tokens(KEEP_REVOKED_DAYS).items()}


@register(
    "rotate-signing-keys", timedelta(days=1),
    "Rotate OpenID Connect signing keys older than PM_SIGNING_KEY_ROTATION_DAYS; delete those no longer published.",
)  # fmt: skip
def rotate_signing_keys(run: Run) -> dict[str, Any]:
    rotated = [workspace.name for workspace in keys.due_for_rotation() if keys.rotate(workspace)]
    return {"rotated": rotated, "deleted": keys.forget_retired()}


@register(
    "deliver-logouts", timedelta(minutes=1),
    "Send the OpenID Connect back-channel logout notices still due (5 tries over about an hour, then dropped).",
)  # fmt: skip
def deliver_logouts(run: Run) -> dict[str, Any]:
    return backchannel.deliver_due()
